-- data checks of dataset versions and their suspected label errors

-- One run of `dataset check` on a version; report holds the whole result as JSON.
CREATE TABLE data_checks (
 id INTEGER PRIMARY KEY,
 dataset_tag TEXT NOT NULL,
 dataset_commit TEXT NOT NULL,
 started_at TEXT NOT NULL,
 finished_at TEXT,
 started_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 status TEXT NOT NULL
   CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
 settings TEXT NOT NULL DEFAULT '{}',
 images INTEGER NOT NULL DEFAULT 0,
 suspected INTEGER NOT NULL DEFAULT 0,
 held_out INTEGER NOT NULL DEFAULT 0,
 leaking INTEGER NOT NULL DEFAULT 0, -- held-out images with a near-duplicate in training
 report TEXT NOT NULL DEFAULT '{}',
 message TEXT NOT NULL DEFAULT '');

CREATE INDEX data_checks_tag ON data_checks(dataset_tag, id);

-- A likely label error; sent_at once it went back to review, decided_at once a reviewer other than
-- its previous approver decided on it.
CREATE TABLE label_suspects (
 id INTEGER PRIMARY KEY,
 check_id INTEGER NOT NULL REFERENCES data_checks(id),
 rank INTEGER NOT NULL,
 sha256 TEXT NOT NULL,
 given_label INTEGER NOT NULL CHECK (given_label BETWEEN 0 AND 9),
 suspected_label INTEGER NOT NULL
   CHECK (suspected_label BETWEEN 0 AND 9),
 confidence REAL NOT NULL,
 margin REAL NOT NULL,
 image_id INTEGER REFERENCES images(id),
 sent_at TEXT,
 sent_by TEXT,
 previous_reviewer TEXT,
 previous_reviewer_id INTEGER REFERENCES users(id),
 decided_at TEXT,
 decided_by TEXT,
 decided_by_id INTEGER REFERENCES users(id),
 decision TEXT CHECK (decision IN ('confirmed', 'not_confirmed')),
 decided_label INTEGER);

CREATE INDEX label_suspects_check ON label_suspects(check_id, rank);

CREATE INDEX label_suspects_image ON label_suspects(image_id, decided_at);
