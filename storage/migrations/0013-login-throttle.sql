-- failed logins under names that are no user's, throttled like a user's

CREATE TABLE login_throttle (
 name TEXT PRIMARY KEY,
 failed_logins INTEGER NOT NULL DEFAULT 0,
 locked_until TEXT);
