#pragma once

#include "storage/actorref.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace digitdesk::storage {

struct DataCheckRecord
{
    qint64 id = 0;
    QString datasetTag;
    QString datasetCommit;
    QDateTime startedAt;
    QDateTime finishedAt; // invalid while running
    QString startedBy;
    QString status;   // running, finished, cancelled, failed
    QString settings; // JSON: folds, epochs, seed
    int images = 0;
    int suspected = 0;
    int heldOut = 0;
    int leaking = 0;
    QString report; // JSON, "{}" until finished
    QString message;
};

// The data_checks table: one row per `dataset check` of a version, 'running' until it ends.
class DataCheckRepository final
{
public:
    explicit DataCheckRepository(const QSqlDatabase &db) : m_db(db) {}

    qint64 start(const QString &tag, const QString &commitId, const QString &settings,
                 const ActorRef &actor);
    void finish(qint64 id, int images, int suspected, int heldOut, int leaking,
                const QString &report);
    // Ends a running check as 'cancelled' or 'failed' with the reason.
    void end(qint64 id, const QString &status, const QString &message);
    std::optional<DataCheckRecord> find(qint64 id) const;
    // The newest finished check of the version's commit.
    std::optional<DataCheckRecord> latestFinished(const QString &tag) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
