#pragma once

#include "storage/actorref.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::storage {

struct ReleaseDecisionRecord
{
    qint64 id = 0;
    qint64 modelId = 0;
    bool approved = false;
    QString comment;
    ActorRef decidedBy;
    QDateTime decidedAt;
};

// Approvals and rejections of models for release. Append-only: the table refuses UPDATE and
// DELETE with triggers, so a model's latest row is its status and the earlier ones its history.
class ReleaseDecisionRepository final
{
public:
    explicit ReleaseDecisionRepository(const QSqlDatabase &db) : m_db(db) {}

    qint64 add(qint64 modelId, bool approved, const QString &comment, const ActorRef &actor);
    // Oldest first.
    std::vector<ReleaseDecisionRecord> forModel(qint64 modelId) const;
    // Models without any decision, newest first.
    std::vector<qint64> undecidedModels() const;
    // Who made the model: who registered it (or imported it) and who started its training run.
    std::vector<ActorRef> makersOf(qint64 modelId) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
