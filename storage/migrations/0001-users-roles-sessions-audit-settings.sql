-- users, roles, login sessions, audit log, settings

CREATE TABLE roles (
 name TEXT PRIMARY KEY,
 rank INTEGER NOT NULL UNIQUE,
 description TEXT NOT NULL);

INSERT INTO roles (name, rank, description) VALUES
 ('annotator', 1, 'labels images'),
 ('reviewer', 2, 'approves or corrects labels; also annotates'),
 ('ml_engineer', 3, 'versions data, trains and promotes models'),
 ('admin', 4, 'everything, and manages users');

CREATE TABLE users (
 id INTEGER PRIMARY KEY,
 name TEXT NOT NULL UNIQUE,
 password_hash TEXT NOT NULL,
 role TEXT NOT NULL REFERENCES roles(name),
 disabled INTEGER NOT NULL DEFAULT 0,
 failed_logins INTEGER NOT NULL DEFAULT 0,
 locked_until TEXT,
 created_at TEXT NOT NULL,
 created_by TEXT NOT NULL);

CREATE TABLE login_sessions (
 id INTEGER PRIMARY KEY,
 user_id INTEGER NOT NULL REFERENCES users(id),
 client TEXT NOT NULL,
 started_at TEXT NOT NULL,
 last_seen_at TEXT NOT NULL,
 ended_at TEXT,
 end_reason TEXT);

CREATE INDEX login_sessions_open ON login_sessions(user_id, ended_at);

CREATE TABLE audit_log (
 id INTEGER PRIMARY KEY,
 at TEXT NOT NULL,
 actor TEXT NOT NULL,
 user_id INTEGER REFERENCES users(id),
 session_id INTEGER REFERENCES login_sessions(id),
 action TEXT NOT NULL,
 target TEXT NOT NULL DEFAULT '',
 outcome TEXT NOT NULL,
 detail TEXT NOT NULL DEFAULT '');

CREATE INDEX audit_log_at ON audit_log(at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
 key TEXT PRIMARY KEY,
 value TEXT NOT NULL,
 updated_at TEXT NOT NULL);
