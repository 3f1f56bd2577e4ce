#pragma once

#include "storage/label.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

// Gold items: approved images whose label is known, mixed unannounced into the queues.
class GoldRepository final
{
public:
    explicit GoldRepository(const QSqlDatabase &db) : m_db(db) {}

    void markGold(qint64 imageId, Label label, const QString &by, qint64 userId, qint64 sessionId);
    // The right answer; nothing when the image is not a gold item.
    MaybeLabel goldLabel(qint64 imageId) const;
    // Gold items the user has not answered and nobody else holds, oldest first.
    std::vector<qint64> goldCandidates(qint64 userId, const QDateTime &now, int limit) const;
    // The user id (0: the operator) who marked the image gold; nothing when it is not gold.
    std::optional<qint64> goldMarkedBy(qint64 imageId) const;
    // Standing answers annotators gave on the image as a gold item.
    int goldAnswerCount(qint64 imageId) const;
    void unmarkGold(qint64 imageId);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
