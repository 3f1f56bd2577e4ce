#pragma once

#include <QDateTime>
#include <QSqlDatabase>

#include <vector>

namespace digitdesk::annotation {

// The queue's policy for one annotator: the model's least sure answers first, every
// `confidentEvery`-th decision one of its most confident answers (so they are audited too) and,
// half a period later, every `goldEvery`-th a gold item. `plan` says which images the next
// `count` decisions will get if nothing else changes, so that what the annotator is shown as
// coming next is what comes.
class QueuePlanner final
{
public:
    struct Mix
    {
        int confidentEvery = 0; // 0: never
        int goldEvery = 0;      // 0: never
    };

    QueuePlanner(const QSqlDatabase &db, Mix mix) : m_db(db), m_mix(mix) {}

    // The images for decisions number `firstDecision`, `firstDecision + 1`, ... (counted from 1
    // over the annotator's standing labels), none of them in `exclude`. Shorter when the queue
    // runs out.
    std::vector<qint64> plan(qint64 userId, const QDateTime &now, qint64 firstDecision, int count,
                             const std::vector<qint64> &exclude) const;

private:
    QSqlDatabase m_db;
    Mix m_mix;
};

} // namespace digitdesk::annotation
