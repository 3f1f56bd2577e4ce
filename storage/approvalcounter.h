#pragma once

#include <QDateTime>
#include <QSqlDatabase>

namespace digitdesk::storage {

// How many labels were approved since a moment: what the retraining policy weighs.
class ApprovalCounter final
{
public:
    explicit ApprovalCounter(const QSqlDatabase &db) : m_db(db) {}

    // Approved images whose approval is later than `after` (every approved image when `after`
    // is invalid). An image is approved when the newest review standing on its label approved
    // or corrected it, or when it was imported as approved; a relabelled image counts again.
    qint64 approvedAfter(const QDateTime &after) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
