#pragma once

#include <QSqlDatabase>

#include <vector>

namespace digitdesk::storage {

// Requests an endpoint answered and how many of them were bad (an error of the server, or
// slower than the objective), per minute since the Unix epoch (UTC).
struct ServingMinute
{
    qint64 minute = 0;
    qint64 requests = 0;
    qint64 bad = 0;
};

// The serving SLO's history: it outlives a restart of the endpoint, so availability over 30
// days means 30 days, not the time since the process started.
class ServingMinuteRepository final
{
public:
    explicit ServingMinuteRepository(const QSqlDatabase &db) : m_db(db) {}

    // Adds the counts to the minutes' rows (several endpoints on one workspace add up).
    void add(const std::vector<ServingMinute> &minutes);
    // Every minute from `firstMinute` on, oldest first.
    std::vector<ServingMinute> since(qint64 firstMinute) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
