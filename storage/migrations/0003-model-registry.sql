-- model registry: training runs, models, aliases and their moves

CREATE TABLE training_runs (
 id INTEGER PRIMARY KEY,
 started_at TEXT NOT NULL,
 finished_at TEXT,
 started_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 status TEXT NOT NULL
   CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
 data_source TEXT NOT NULL,
 data_digest TEXT NOT NULL,
 hyperparameters TEXT NOT NULL,
 message TEXT NOT NULL DEFAULT '');

CREATE TABLE models (
 id INTEGER PRIMARY KEY,
 architecture TEXT NOT NULL,
 created_at TEXT NOT NULL,
 created_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 training_run_id INTEGER REFERENCES training_runs(id),
 dataset_commit TEXT,
 source_digest TEXT NOT NULL,
 hyperparameters TEXT NOT NULL DEFAULT '{}',
 metrics TEXT NOT NULL DEFAULT '{}',
 file_path TEXT NOT NULL,
 file_sha256 TEXT NOT NULL,
 temperature REAL NOT NULL CHECK (temperature > 0),
 note TEXT NOT NULL DEFAULT '');

CREATE TRIGGER models_no_delete BEFORE DELETE ON models
 BEGIN SELECT RAISE(ABORT, 'models are never deleted'); END;

CREATE TABLE model_aliases (
 alias TEXT PRIMARY KEY CHECK (alias IN ('production', 'candidate')),
 model_id INTEGER NOT NULL REFERENCES models(id),
 moved_at TEXT NOT NULL);

CREATE TABLE model_alias_moves (
 id INTEGER PRIMARY KEY,
 alias TEXT NOT NULL,
 from_model_id INTEGER REFERENCES models(id),
 to_model_id INTEGER NOT NULL REFERENCES models(id),
 moved_at TEXT NOT NULL,
 moved_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 reason TEXT NOT NULL);

CREATE INDEX model_alias_moves_at ON model_alias_moves(alias, moved_at);

CREATE TRIGGER model_alias_moves_no_update BEFORE UPDATE ON
 model_alias_moves BEGIN SELECT RAISE(ABORT,
 'model_alias_moves is append-only'); END;

CREATE TRIGGER model_alias_moves_no_delete BEFORE DELETE ON
 model_alias_moves BEGIN SELECT RAISE(ABORT,
 'model_alias_moves is append-only'); END;

ALTER TABLE predictions ADD COLUMN model_id INTEGER REFERENCES models(id);

CREATE INDEX predictions_model ON predictions(model_id, image_id);
