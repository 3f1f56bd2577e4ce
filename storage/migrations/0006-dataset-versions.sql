-- dataset versions: the tagged commits of dataset.git and who made them

-- A tag is "vN" for this workspace's versions, "<remote>/vN" for pulled ones.
CREATE TABLE dataset_versions (
 id INTEGER PRIMARY KEY,
 tag TEXT NOT NULL UNIQUE,
 number INTEGER NOT NULL,
 commit_id TEXT NOT NULL,
 author TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 created_at TEXT NOT NULL,
 message TEXT NOT NULL,
 image_count INTEGER NOT NULL,
 histogram TEXT NOT NULL, -- JSON array: 0-9, then "not a digit"
 parent_tag TEXT NOT NULL DEFAULT '',
 origin TEXT NOT NULL DEFAULT '');

CREATE INDEX dataset_versions_origin ON dataset_versions(origin, number);

CREATE INDEX dataset_versions_commit ON dataset_versions(commit_id);
