#include "storage/schemamigrations.h"

namespace digitdesk::storage {

// Portable SQL (SQLite and PostgreSQL): no SQLite-only types; times are ISO text in UTC.
std::vector<Migration> schemaMigrations()
{
    std::vector<Migration> list;
    list.push_back(
        {1,
         QStringLiteral("users, roles, login sessions, audit log, settings"),
         {
             QStringLiteral("CREATE TABLE roles ("
                            " name TEXT PRIMARY KEY,"
                            " rank INTEGER NOT NULL UNIQUE,"
                            " description TEXT NOT NULL)"),
             QStringLiteral("INSERT INTO roles (name, rank, description) VALUES"
                            " ('annotator', 1, 'labels images'),"
                            " ('reviewer', 2, 'approves or corrects labels; also annotates'),"
                            " ('ml_engineer', 3, 'versions data, trains and promotes models'),"
                            " ('admin', 4, 'everything, and manages users')"),
             QStringLiteral("CREATE TABLE users ("
                            " id INTEGER PRIMARY KEY,"
                            " name TEXT NOT NULL UNIQUE,"
                            " password_hash TEXT NOT NULL,"
                            " role TEXT NOT NULL REFERENCES roles(name),"
                            " disabled INTEGER NOT NULL DEFAULT 0,"
                            " failed_logins INTEGER NOT NULL DEFAULT 0,"
                            " locked_until TEXT,"
                            " created_at TEXT NOT NULL,"
                            " created_by TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE login_sessions ("
                            " id INTEGER PRIMARY KEY,"
                            " user_id INTEGER NOT NULL REFERENCES users(id),"
                            " client TEXT NOT NULL,"
                            " started_at TEXT NOT NULL,"
                            " last_seen_at TEXT NOT NULL,"
                            " ended_at TEXT,"
                            " end_reason TEXT)"),
             QStringLiteral(
                 "CREATE INDEX login_sessions_open ON login_sessions(user_id, ended_at)"),
             QStringLiteral("CREATE TABLE audit_log ("
                            " id INTEGER PRIMARY KEY,"
                            " at TEXT NOT NULL,"
                            " actor TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " action TEXT NOT NULL,"
                            " target TEXT NOT NULL DEFAULT '',"
                            " outcome TEXT NOT NULL,"
                            " detail TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX audit_log_at ON audit_log(at)"),
             QStringLiteral("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
                            " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"),
             QStringLiteral("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
                            " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"),
             QStringLiteral("CREATE TABLE settings ("
                            " key TEXT PRIMARY KEY,"
                            " value TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL)"),
         }});
    list.push_back(
        {2,
         QStringLiteral("images, predictions, labels, reviews"),
         {
             QStringLiteral("CREATE TABLE images ("
                            " id INTEGER PRIMARY KEY,"
                            " sha256 TEXT NOT NULL UNIQUE,"
                            " source TEXT NOT NULL,"
                            " pixels BLOB NOT NULL,"
                            " original_sha256 TEXT,"
                            " original_name TEXT,"
                            " status TEXT NOT NULL DEFAULT 'incoming'"
                            "   CHECK (status IN ('incoming', 'labelled', 'approved')),"
                            " imported_at TEXT NOT NULL,"
                            " imported_by TEXT NOT NULL,"
                            " session_id INTEGER REFERENCES login_sessions(id))"),
             QStringLiteral("CREATE INDEX images_status ON images(status, id)"),
             QStringLiteral("CREATE INDEX images_source ON images(source, id)"),
             QStringLiteral("CREATE TABLE predictions ("
                            " id INTEGER PRIMARY KEY,"
                            " image_id INTEGER NOT NULL REFERENCES images(id),"
                            " model_ref TEXT NOT NULL,"
                            " label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),"
                            " confidence REAL NOT NULL,"
                            " probabilities TEXT NOT NULL,"
                            " created_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX predictions_image ON predictions(image_id)"),
             // label NULL means "not a digit / unreadable".
             QStringLiteral("CREATE TABLE labels ("
                            " id INTEGER PRIMARY KEY,"
                            " image_id INTEGER NOT NULL REFERENCES images(id),"
                            " label INTEGER CHECK (label BETWEEN 0 AND 9),"
                            " origin TEXT NOT NULL,"
                            " annotator_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " created_at TEXT NOT NULL,"
                            " time_spent_ms INTEGER)"),
             QStringLiteral("CREATE INDEX labels_image ON labels(image_id)"),
             QStringLiteral("CREATE TABLE reviews ("
                            " id INTEGER PRIMARY KEY,"
                            " label_id INTEGER NOT NULL REFERENCES labels(id),"
                            " verdict TEXT NOT NULL"
                            "   CHECK (verdict IN ('approved', 'corrected', 'rejected')),"
                            " corrected_label INTEGER CHECK (corrected_label BETWEEN 0 AND 9),"
                            " reviewer TEXT NOT NULL,"
                            " reviewer_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " comment TEXT NOT NULL DEFAULT '',"
                            " created_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX reviews_label ON reviews(label_id)"),
         }});
    list.push_back(
        {3,
         QStringLiteral("model registry: training runs, models, aliases and their moves"),
         {
             QStringLiteral("CREATE TABLE training_runs ("
                            " id INTEGER PRIMARY KEY,"
                            " started_at TEXT NOT NULL,"
                            " finished_at TEXT,"
                            " started_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " status TEXT NOT NULL"
                            "   CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),"
                            " data_source TEXT NOT NULL,"
                            " data_digest TEXT NOT NULL,"
                            " hyperparameters TEXT NOT NULL,"
                            " message TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TABLE models ("
                            " id INTEGER PRIMARY KEY,"
                            " architecture TEXT NOT NULL,"
                            " created_at TEXT NOT NULL,"
                            " created_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " training_run_id INTEGER REFERENCES training_runs(id),"
                            " dataset_commit TEXT,"
                            " source_digest TEXT NOT NULL,"
                            " hyperparameters TEXT NOT NULL DEFAULT '{}',"
                            " metrics TEXT NOT NULL DEFAULT '{}',"
                            " file_path TEXT NOT NULL,"
                            " file_sha256 TEXT NOT NULL,"
                            " temperature REAL NOT NULL CHECK (temperature > 0),"
                            " note TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TRIGGER models_no_delete BEFORE DELETE ON models"
                            " BEGIN SELECT RAISE(ABORT, 'models are never deleted'); END"),
             QStringLiteral("CREATE TABLE model_aliases ("
                            " alias TEXT PRIMARY KEY CHECK (alias IN ('production', 'candidate')),"
                            " model_id INTEGER NOT NULL REFERENCES models(id),"
                            " moved_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE model_alias_moves ("
                            " id INTEGER PRIMARY KEY,"
                            " alias TEXT NOT NULL,"
                            " from_model_id INTEGER REFERENCES models(id),"
                            " to_model_id INTEGER NOT NULL REFERENCES models(id),"
                            " moved_at TEXT NOT NULL,"
                            " moved_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " reason TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE INDEX model_alias_moves_at ON model_alias_moves(alias, moved_at)"),
             QStringLiteral("CREATE TRIGGER model_alias_moves_no_update BEFORE UPDATE ON"
                            " model_alias_moves BEGIN SELECT RAISE(ABORT,"
                            " 'model_alias_moves is append-only'); END"),
             QStringLiteral("CREATE TRIGGER model_alias_moves_no_delete BEFORE DELETE ON"
                            " model_alias_moves BEGIN SELECT RAISE(ABORT,"
                            " 'model_alias_moves is append-only'); END"),
             QStringLiteral(
                 "ALTER TABLE predictions ADD COLUMN model_id INTEGER REFERENCES models(id)"),
             QStringLiteral("CREATE INDEX predictions_model ON predictions(model_id, image_id)"),
         }});
    list.push_back(
        {4,
         QStringLiteral("annotation queue: leases, skips, gold items, retracted labels"),
         {
             QStringLiteral("ALTER TABLE labels ADD COLUMN retracted_at TEXT"),
             QStringLiteral("ALTER TABLE labels ADD COLUMN retracted_by TEXT"),
             // 1 for an annotator's answer on a gold item: it checks the annotator, not the image.
             QStringLiteral("ALTER TABLE labels ADD COLUMN gold_check INTEGER NOT NULL DEFAULT 0"),
             QStringLiteral("CREATE INDEX labels_annotator ON labels(annotator_id, id)"),
             QStringLiteral("CREATE TABLE leases ("
                            " image_id INTEGER PRIMARY KEY REFERENCES images(id),"
                            " user_id INTEGER NOT NULL REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " leased_at TEXT NOT NULL,"
                            " expires_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE skips ("
                            " id INTEGER PRIMARY KEY,"
                            " image_id INTEGER NOT NULL REFERENCES images(id),"
                            " user_id INTEGER NOT NULL REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " skipped_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX skips_user ON skips(user_id, image_id)"),
             QStringLiteral("CREATE TABLE gold_items ("
                            " image_id INTEGER PRIMARY KEY REFERENCES images(id),"
                            " label INTEGER CHECK (label BETWEEN 0 AND 9),"
                            " marked_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " marked_at TEXT NOT NULL)"),
             // Margin between the top two classes breaks ties of confidence in the queue.
             QStringLiteral("ALTER TABLE predictions ADD COLUMN margin REAL NOT NULL DEFAULT 0"),
             // The queue's order lives on the image (the production model's calibrated
             // confidence, -1 before it has one) so that choosing the next item walks one index
             // and stops at the first that fits, even with 100,000 items waiting.
             QStringLiteral(
                 "ALTER TABLE images ADD COLUMN queue_confidence REAL NOT NULL DEFAULT -1"),
             QStringLiteral("ALTER TABLE images ADD COLUMN queue_margin REAL NOT NULL DEFAULT 0"),
             QStringLiteral(
                 "CREATE INDEX images_queue ON images(status, queue_confidence, queue_margin, id)"),
         }});
    list.push_back(
        {5,
         QStringLiteral("serving: requests and bad requests per minute for the SLO"),
         {
             // Counts are added, never replaced, so several endpoints on one workspace sum up.
             QStringLiteral("CREATE TABLE serving_minutes ("
                            " minute INTEGER PRIMARY KEY," // minutes since the Unix epoch, UTC
                            " requests INTEGER NOT NULL DEFAULT 0,"
                            " bad INTEGER NOT NULL DEFAULT 0)"),
         }});
    list.push_back(
        {6,
         QStringLiteral("dataset versions: the tagged commits of dataset.git and who made them"),
         {
             // A tag is "vN" for this workspace's versions, "<remote>/vN" for pulled ones.
             QStringLiteral("CREATE TABLE dataset_versions ("
                            " id INTEGER PRIMARY KEY,"
                            " tag TEXT NOT NULL UNIQUE,"
                            " number INTEGER NOT NULL,"
                            " commit_id TEXT NOT NULL,"
                            " author TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " created_at TEXT NOT NULL,"
                            " message TEXT NOT NULL,"
                            " image_count INTEGER NOT NULL,"
                            " histogram TEXT NOT NULL," // JSON array: 0-9, then "not a digit"
                            " parent_tag TEXT NOT NULL DEFAULT '',"
                            " origin TEXT NOT NULL DEFAULT '')"),
             QStringLiteral(
                 "CREATE INDEX dataset_versions_origin ON dataset_versions(origin, number)"),
             QStringLiteral("CREATE INDEX dataset_versions_commit ON dataset_versions(commit_id)"),
         }});
    list.push_back(
        {7,
         QStringLiteral("training runs: dataset version, process, progress, result, why started"),
         {
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN dataset_tag TEXT NOT NULL"
                            " DEFAULT ''"),
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN dataset_commit TEXT NOT NULL"
                            " DEFAULT ''"),
             // The process that runs it, so a run whose process is gone is seen as failed.
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0"),
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN host TEXT NOT NULL DEFAULT ''"),
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN model_id INTEGER"
                            " REFERENCES models(id)"),
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN metrics TEXT NOT NULL"
                            " DEFAULT '{}'"),
             // The last lines the run printed, kept when it fails or is cancelled.
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN log_tail TEXT NOT NULL"
                            " DEFAULT ''"),
             // "manual", or the retraining policy's reason ("policy: 2,000 new approved labels").
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN started_because TEXT NOT NULL"
                            " DEFAULT 'manual'"),
             QStringLiteral("ALTER TABLE training_runs ADD COLUMN progress TEXT NOT NULL"
                            " DEFAULT '{}'"),
             QStringLiteral("CREATE INDEX training_runs_status ON training_runs(status, id)"),
         }});
    list.push_back(
        {8,
         QStringLiteral("serving: what the endpoint answered per minute, for drift monitoring"),
         {
             // Counts are added, never replaced, so several endpoints on one workspace sum up.
             // confidence_bin is floor(calibrated confidence x 20), 0-19; ood is 1 when the
             // model's out-of-distribution score crossed its threshold.
             QStringLiteral("CREATE TABLE serving_predictions ("
                            " minute INTEGER NOT NULL," // minutes since the Unix epoch, UTC
                            " model_id INTEGER NOT NULL,"
                            " label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),"
                            " confidence_bin INTEGER NOT NULL CHECK (confidence_bin BETWEEN 0"
                            "   AND 19),"
                            " ood INTEGER NOT NULL CHECK (ood IN (0, 1)),"
                            " count INTEGER NOT NULL DEFAULT 0,"
                            " PRIMARY KEY (minute, model_id, label, confidence_bin, ood))"),
         }});
    list.push_back(
        {9,
         QStringLiteral("roles ml_qa and manager; release decisions on models (append-only)"),
         {
             QStringLiteral("INSERT INTO roles (name, rank, description) VALUES"
                            " ('ml_qa', 5, 'validates models and signs their releases off'),"
                            " ('manager', 6, 'sees the team''s and the models'' figures; sets"
                            " the daily target and the queue')"),
             // approved: 1 approves the model for release, 0 rejects it; the latest row wins.
             QStringLiteral("CREATE TABLE release_decisions ("
                            " id INTEGER PRIMARY KEY,"
                            " model_id INTEGER NOT NULL REFERENCES models(id),"
                            " approved INTEGER NOT NULL CHECK (approved IN (0, 1)),"
                            " comment TEXT NOT NULL DEFAULT '',"
                            " decided_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " decided_at TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE INDEX release_decisions_model ON release_decisions(model_id, id)"),
             QStringLiteral("CREATE TRIGGER release_decisions_no_update BEFORE UPDATE ON"
                            " release_decisions BEGIN SELECT RAISE(ABORT,"
                            " 'release_decisions is append-only'); END"),
             QStringLiteral("CREATE TRIGGER release_decisions_no_delete BEFORE DELETE ON"
                            " release_decisions BEGIN SELECT RAISE(ABORT,"
                            " 'release_decisions is append-only'); END"),
             // A workspace in use before sign-off existed keeps promoting as it did: the waiver
             // goes on (the Models view says so) until an admin turns it off. A new workspace,
             // empty at this point, requires sign-off.
             QStringLiteral("INSERT INTO settings (key, value, updated_at)"
                            " SELECT 'release.signoff_waived', '1',"
                            " strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                            " WHERE EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM images)"
                            " OR EXISTS (SELECT 1 FROM models)"),
         }});
    list.push_back(
        {10,
         QStringLiteral("data checks of dataset versions and their suspected label errors"),
         {
             // One run of `dataset check` on a version; report holds the whole result as JSON.
             QStringLiteral("CREATE TABLE data_checks ("
                            " id INTEGER PRIMARY KEY,"
                            " dataset_tag TEXT NOT NULL,"
                            " dataset_commit TEXT NOT NULL,"
                            " started_at TEXT NOT NULL,"
                            " finished_at TEXT,"
                            " started_by TEXT NOT NULL,"
                            " user_id INTEGER REFERENCES users(id),"
                            " session_id INTEGER REFERENCES login_sessions(id),"
                            " status TEXT NOT NULL"
                            "   CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),"
                            " settings TEXT NOT NULL DEFAULT '{}',"
                            " images INTEGER NOT NULL DEFAULT 0,"
                            " suspected INTEGER NOT NULL DEFAULT 0,"
                            " held_out INTEGER NOT NULL DEFAULT 0,"
                            " leaking INTEGER NOT NULL DEFAULT 0," // held-out images with a
                                                                   // near-duplicate in training
                            " report TEXT NOT NULL DEFAULT '{}',"
                            " message TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX data_checks_tag ON data_checks(dataset_tag, id)"),
             // A likely label error; sent_at once it went back to review, decided_at once a
             // reviewer other than its previous approver decided on it.
             QStringLiteral("CREATE TABLE label_suspects ("
                            " id INTEGER PRIMARY KEY,"
                            " check_id INTEGER NOT NULL REFERENCES data_checks(id),"
                            " rank INTEGER NOT NULL,"
                            " sha256 TEXT NOT NULL,"
                            " given_label INTEGER NOT NULL CHECK (given_label BETWEEN 0 AND 9),"
                            " suspected_label INTEGER NOT NULL"
                            "   CHECK (suspected_label BETWEEN 0 AND 9),"
                            " confidence REAL NOT NULL,"
                            " margin REAL NOT NULL,"
                            " image_id INTEGER REFERENCES images(id),"
                            " sent_at TEXT,"
                            " sent_by TEXT,"
                            " previous_reviewer TEXT,"
                            " previous_reviewer_id INTEGER REFERENCES users(id),"
                            " decided_at TEXT,"
                            " decided_by TEXT,"
                            " decided_by_id INTEGER REFERENCES users(id),"
                            " decision TEXT CHECK (decision IN ('confirmed', 'not_confirmed')),"
                            " decided_label INTEGER)"),
             QStringLiteral("CREATE INDEX label_suspects_check ON label_suspects(check_id, rank)"),
             QStringLiteral(
                 "CREATE INDEX label_suspects_image ON label_suspects(image_id, decided_at)"),
         }});
    list.push_back(
        {11,
         QStringLiteral("serving: shadow agreement per minute and the images two models disagree"
                        " on"),
         {
             // Counts are added, never replaced, as in serving_predictions.
             QStringLiteral("CREATE TABLE shadow_agreement ("
                            " minute INTEGER NOT NULL," // minutes since the Unix epoch, UTC
                            " production_model_id INTEGER NOT NULL,"
                            " candidate_model_id INTEGER NOT NULL,"
                            " production_label INTEGER NOT NULL CHECK (production_label BETWEEN"
                            "   0 AND 9),"
                            " candidate_label INTEGER NOT NULL CHECK (candidate_label BETWEEN"
                            "   0 AND 9),"
                            " count INTEGER NOT NULL DEFAULT 0,"
                            " production_confidence_sum REAL NOT NULL DEFAULT 0,"
                            " candidate_confidence_sum REAL NOT NULL DEFAULT 0,"
                            " PRIMARY KEY (minute, production_model_id, candidate_model_id,"
                            "   production_label, candidate_label))"),
             // One row per image, ever: a disagreement queues its image once.
             QStringLiteral("CREATE TABLE model_disagreements ("
                            " image_id INTEGER PRIMARY KEY REFERENCES images(id),"
                            " production_model_id INTEGER NOT NULL,"
                            " candidate_model_id INTEGER NOT NULL,"
                            " production_label INTEGER NOT NULL,"
                            " production_confidence REAL NOT NULL,"
                            " candidate_label INTEGER NOT NULL,"
                            " candidate_confidence REAL NOT NULL,"
                            " created_at TEXT NOT NULL)"),
             QStringLiteral(
                 "CREATE INDEX model_disagreements_created ON model_disagreements(created_at)"),
         }});
    list.push_back(
        {12,
         QStringLiteral("the watched inbox: what became of each file, and the watcher's state"),
         {
             // A file found again after a crash between import and move is known by its bytes.
             QStringLiteral("CREATE INDEX images_original ON images(original_sha256)"),
             QStringLiteral("CREATE TABLE inbox_files ("
                            " id INTEGER PRIMARY KEY,"
                            " at TEXT NOT NULL,"
                            " name TEXT NOT NULL,"   // as it was in the inbox
                            " sha256 TEXT NOT NULL," // of its bytes; '' when unread
                            " outcome TEXT NOT NULL CHECK (outcome IN ('imported',"
                            "   'already_imported', 'duplicate', 'failed')),"
                            " image_id INTEGER REFERENCES images(id),"
                            " reason TEXT NOT NULL DEFAULT '',"
                            " moved_to TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX inbox_files_sha256 ON inbox_files(sha256)"),
             QStringLiteral("CREATE INDEX inbox_files_at ON inbox_files(at, outcome)"),
             // One row: the process watching the inbox, so the GUI sees it from another process.
             QStringLiteral("CREATE TABLE inbox_status ("
                            " id INTEGER PRIMARY KEY CHECK (id = 1),"
                            " path TEXT NOT NULL DEFAULT '',"
                            " state TEXT NOT NULL,"
                            " host TEXT NOT NULL DEFAULT '',"
                            " pid INTEGER NOT NULL DEFAULT 0,"
                            " waiting INTEGER NOT NULL DEFAULT 0,"
                            " started_at TEXT,"
                            " heartbeat_at TEXT,"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " last_error_at TEXT)"),
         }});
    list.push_back(
        {13,
         QStringLiteral("failed logins under names that are no user's, throttled like a user's"),
         {
             QStringLiteral("CREATE TABLE login_throttle ("
                            " name TEXT PRIMARY KEY,"
                            " failed_logins INTEGER NOT NULL DEFAULT 0,"
                            " locked_until TEXT)"),
         }});
    return list;
}

} // namespace digitdesk::storage
