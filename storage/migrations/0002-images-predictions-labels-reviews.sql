-- images, predictions, labels, reviews

CREATE TABLE images (
 id INTEGER PRIMARY KEY,
 sha256 TEXT NOT NULL UNIQUE,
 source TEXT NOT NULL,
 pixels BLOB NOT NULL,
 original_sha256 TEXT,
 original_name TEXT,
 status TEXT NOT NULL DEFAULT 'incoming'
   CHECK (status IN ('incoming', 'labelled', 'approved')),
 imported_at TEXT NOT NULL,
 imported_by TEXT NOT NULL,
 session_id INTEGER REFERENCES login_sessions(id));

CREATE INDEX images_status ON images(status, id);

CREATE INDEX images_source ON images(source, id);

CREATE TABLE predictions (
 id INTEGER PRIMARY KEY,
 image_id INTEGER NOT NULL REFERENCES images(id),
 model_ref TEXT NOT NULL,
 label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
 confidence REAL NOT NULL,
 probabilities TEXT NOT NULL,
 created_at TEXT NOT NULL);

CREATE INDEX predictions_image ON predictions(image_id);

-- label NULL means "not a digit / unreadable".
CREATE TABLE labels (
 id INTEGER PRIMARY KEY,
 image_id INTEGER NOT NULL REFERENCES images(id),
 label INTEGER CHECK (label BETWEEN 0 AND 9),
 origin TEXT NOT NULL,
 annotator_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 created_at TEXT NOT NULL,
 time_spent_ms INTEGER);

CREATE INDEX labels_image ON labels(image_id);

CREATE TABLE reviews (
 id INTEGER PRIMARY KEY,
 label_id INTEGER NOT NULL REFERENCES labels(id),
 verdict TEXT NOT NULL
   CHECK (verdict IN ('approved', 'corrected', 'rejected')),
 corrected_label INTEGER CHECK (corrected_label BETWEEN 0 AND 9),
 reviewer TEXT NOT NULL,
 reviewer_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 comment TEXT NOT NULL DEFAULT '',
 created_at TEXT NOT NULL);

CREATE INDEX reviews_label ON reviews(label_id);
