-- serving: shadow agreement per minute and the images two models disagree on

-- Counts are added, never replaced, as in serving_predictions.
CREATE TABLE shadow_agreement (
 minute INTEGER NOT NULL, -- minutes since the Unix epoch, UTC
 production_model_id INTEGER NOT NULL,
 candidate_model_id INTEGER NOT NULL,
 production_label INTEGER NOT NULL CHECK (production_label BETWEEN
   0 AND 9),
 candidate_label INTEGER NOT NULL CHECK (candidate_label BETWEEN
   0 AND 9),
 count INTEGER NOT NULL DEFAULT 0,
 production_confidence_sum REAL NOT NULL DEFAULT 0,
 candidate_confidence_sum REAL NOT NULL DEFAULT 0,
 PRIMARY KEY (minute, production_model_id, candidate_model_id,
   production_label, candidate_label));

-- One row per image, ever: a disagreement queues its image once.
CREATE TABLE model_disagreements (
 image_id INTEGER PRIMARY KEY REFERENCES images(id),
 production_model_id INTEGER NOT NULL,
 candidate_model_id INTEGER NOT NULL,
 production_label INTEGER NOT NULL,
 production_confidence REAL NOT NULL,
 candidate_label INTEGER NOT NULL,
 candidate_confidence REAL NOT NULL,
 created_at TEXT NOT NULL);

CREATE INDEX model_disagreements_created ON model_disagreements(created_at);
