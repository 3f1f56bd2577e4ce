-- the watched inbox: what became of each file, and the watcher's state

-- A file found again after a crash between import and move is known by its bytes.
CREATE INDEX images_original ON images(original_sha256);

CREATE TABLE inbox_files (
 id INTEGER PRIMARY KEY,
 at TEXT NOT NULL,
 name TEXT NOT NULL, -- as it was in the inbox
 sha256 TEXT NOT NULL, -- of its bytes; '' when unread
 outcome TEXT NOT NULL CHECK (outcome IN ('imported',
   'already_imported', 'duplicate', 'failed')),
 image_id INTEGER REFERENCES images(id),
 reason TEXT NOT NULL DEFAULT '',
 moved_to TEXT NOT NULL DEFAULT '');

CREATE INDEX inbox_files_sha256 ON inbox_files(sha256);

CREATE INDEX inbox_files_at ON inbox_files(at, outcome);

-- One row: the process watching the inbox, so the GUI sees it from another process.
CREATE TABLE inbox_status (
 id INTEGER PRIMARY KEY CHECK (id = 1),
 path TEXT NOT NULL DEFAULT '',
 state TEXT NOT NULL,
 host TEXT NOT NULL DEFAULT '',
 pid INTEGER NOT NULL DEFAULT 0,
 waiting INTEGER NOT NULL DEFAULT 0,
 started_at TEXT,
 heartbeat_at TEXT,
 last_error TEXT NOT NULL DEFAULT '',
 last_error_at TEXT);
