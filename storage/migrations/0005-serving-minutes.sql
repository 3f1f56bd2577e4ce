-- serving: requests and bad requests per minute for the SLO

-- Counts are added, never replaced, so several endpoints on one workspace sum up.
CREATE TABLE serving_minutes (
 minute INTEGER PRIMARY KEY, -- minutes since the Unix epoch, UTC
 requests INTEGER NOT NULL DEFAULT 0,
 bad INTEGER NOT NULL DEFAULT 0);
