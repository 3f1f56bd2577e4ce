-- annotation queue: leases, skips, gold items, retracted labels

ALTER TABLE labels ADD COLUMN retracted_at TEXT;

ALTER TABLE labels ADD COLUMN retracted_by TEXT;

-- 1 for an annotator's answer on a gold item: it checks the annotator, not the image.
ALTER TABLE labels ADD COLUMN gold_check INTEGER NOT NULL DEFAULT 0;

CREATE INDEX labels_annotator ON labels(annotator_id, id);

CREATE TABLE leases (
 image_id INTEGER PRIMARY KEY REFERENCES images(id),
 user_id INTEGER NOT NULL REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 leased_at TEXT NOT NULL,
 expires_at TEXT NOT NULL);

CREATE TABLE skips (
 id INTEGER PRIMARY KEY,
 image_id INTEGER NOT NULL REFERENCES images(id),
 user_id INTEGER NOT NULL REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 skipped_at TEXT NOT NULL);

CREATE INDEX skips_user ON skips(user_id, image_id);

CREATE TABLE gold_items (
 image_id INTEGER PRIMARY KEY REFERENCES images(id),
 label INTEGER CHECK (label BETWEEN 0 AND 9),
 marked_by TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 marked_at TEXT NOT NULL);

-- Margin between the top two classes breaks ties of confidence in the queue.
ALTER TABLE predictions ADD COLUMN margin REAL NOT NULL DEFAULT 0;

-- The queue's order lives on the image (the production model's calibrated confidence, -1 before it
-- has one) so that choosing the next item walks one index and stops at the first that fits, even
-- with 100,000 items waiting.
ALTER TABLE images ADD COLUMN queue_confidence REAL NOT NULL DEFAULT -1;

ALTER TABLE images ADD COLUMN queue_margin REAL NOT NULL DEFAULT 0;

CREATE INDEX images_queue ON images(status, queue_confidence, queue_margin, id);
