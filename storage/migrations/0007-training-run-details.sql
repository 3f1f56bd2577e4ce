-- training runs: dataset version, process, progress, result, why started

ALTER TABLE training_runs ADD COLUMN dataset_tag TEXT NOT NULL
 DEFAULT '';

ALTER TABLE training_runs ADD COLUMN dataset_commit TEXT NOT NULL
 DEFAULT '';

-- The process that runs it, so a run whose process is gone is seen as failed.
ALTER TABLE training_runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;

ALTER TABLE training_runs ADD COLUMN host TEXT NOT NULL DEFAULT '';

ALTER TABLE training_runs ADD COLUMN model_id INTEGER
 REFERENCES models(id);

ALTER TABLE training_runs ADD COLUMN metrics TEXT NOT NULL
 DEFAULT '{}';

-- The last lines the run printed, kept when it fails or is cancelled.
ALTER TABLE training_runs ADD COLUMN log_tail TEXT NOT NULL
 DEFAULT '';

-- "manual", or the retraining policy's reason ("policy: 2,000 new approved labels").
ALTER TABLE training_runs ADD COLUMN started_because TEXT NOT NULL
 DEFAULT 'manual';

ALTER TABLE training_runs ADD COLUMN progress TEXT NOT NULL
 DEFAULT '{}';

CREATE INDEX training_runs_status ON training_runs(status, id);
