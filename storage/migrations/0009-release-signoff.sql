-- roles ml_qa and manager; release decisions on models (append-only)

INSERT INTO roles (name, rank, description) VALUES
 ('ml_qa', 5, 'validates models and signs their releases off'),
 ('manager', 6, 'sees the team''s and the models'' figures; sets
 the daily target and the queue');

-- approved: 1 approves the model for release, 0 rejects it; the latest row wins.
CREATE TABLE release_decisions (
 id INTEGER PRIMARY KEY,
 model_id INTEGER NOT NULL REFERENCES models(id),
 approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
 comment TEXT NOT NULL DEFAULT '',
 decided_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 decided_at TEXT NOT NULL);

CREATE INDEX release_decisions_model ON release_decisions(model_id, id);

CREATE TRIGGER release_decisions_no_update BEFORE UPDATE ON
 release_decisions BEGIN SELECT RAISE(ABORT,
 'release_decisions is append-only'); END;

CREATE TRIGGER release_decisions_no_delete BEFORE DELETE ON
 release_decisions BEGIN SELECT RAISE(ABORT,
 'release_decisions is append-only'); END;

-- A workspace in use before sign-off existed keeps promoting as it did: the waiver goes on (the
-- Models view says so) until an admin turns it off. A new workspace, empty at this point, requires
-- sign-off.
INSERT INTO settings (key, value, updated_at)
 SELECT 'release.signoff_waived', '1',
 strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM images)
 OR EXISTS (SELECT 1 FROM models);
