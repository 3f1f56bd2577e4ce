-- serving: what the endpoint answered per minute, for drift monitoring

-- Counts are added, never replaced, so several endpoints on one workspace sum up. confidence_bin
-- is floor(calibrated confidence x 20), 0-19; ood is 1 when the model's out-of-distribution score
-- crossed its threshold.
CREATE TABLE serving_predictions (
 minute INTEGER NOT NULL, -- minutes since the Unix epoch, UTC
 model_id INTEGER NOT NULL,
 label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
 confidence_bin INTEGER NOT NULL CHECK (confidence_bin BETWEEN 0
   AND 19),
 ood INTEGER NOT NULL CHECK (ood IN (0, 1)),
 count INTEGER NOT NULL DEFAULT 0,
 PRIMARY KEY (minute, model_id, label, confidence_bin, ood));
