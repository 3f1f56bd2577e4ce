#include "storage/servingminuterepository.h"

#include "storage/sqlquery.h"

namespace digitdesk::storage {

void ServingMinuteRepository::add(const std::vector<ServingMinute> &minutes)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO serving_minutes (minute, requests, bad) VALUES"
                                  " (:minute, :requests, :bad) ON CONFLICT (minute) DO UPDATE"
                                  " SET requests = serving_minutes.requests + excluded.requests,"
                                  " bad = serving_minutes.bad + excluded.bad"),
                   QStringLiteral("record serving requests per minute"));
    for (const ServingMinute &minute : minutes) {
        query.bindAll({{QStringLiteral(":minute"), minute.minute},
                       {QStringLiteral(":requests"), minute.requests},
                       {QStringLiteral(":bad"), minute.bad}});
        query.exec();
    }
}

std::vector<ServingMinute> ServingMinuteRepository::since(qint64 firstMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT minute, requests, bad FROM serving_minutes"
                                  " WHERE minute >= :first ORDER BY minute"),
                   QStringLiteral("read serving requests per minute"));
    query.bind(QStringLiteral(":first"), firstMinute);
    query.exec();
    std::vector<ServingMinute> minutes;
    while (query.next()) {
        minutes.push_back({query.value(0).toLongLong(), query.value(1).toLongLong(),
                           query.value(2).toLongLong()});
    }
    return minutes;
}

} // namespace digitdesk::storage
