#include "storage/servingpredictionrepository.h"

#include "storage/sqlquery.h"

#include <algorithm>

namespace digitdesk::storage {

void ServingPredictionRepository::add(const std::vector<ServingPredictionCount> &counts)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO serving_predictions (minute, model_id, label,"
                                  " confidence_bin, ood, count) VALUES (:minute, :model, :label,"
                                  " :bin, :ood, :count) ON CONFLICT (minute, model_id, label,"
                                  " confidence_bin, ood) DO UPDATE"
                                  " SET count = serving_predictions.count + excluded.count"),
                   QStringLiteral("record served predictions per minute"));
    for (const ServingPredictionCount &count : counts) {
        query.bindAll({{QStringLiteral(":minute"), count.minute},
                       {QStringLiteral(":model"), count.modelId},
                       {QStringLiteral(":label"), count.label},
                       {QStringLiteral(":bin"), count.confidenceBin},
                       {QStringLiteral(":ood"), count.ood ? 1 : 0},
                       {QStringLiteral(":count"), count.count}});
        query.exec();
    }
}

ServedTotals ServingPredictionRepository::totals(qint64 modelId, qint64 firstMinute,
                                                 qint64 lastMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT label, confidence_bin, ood, SUM(count)"
                                  " FROM serving_predictions WHERE model_id = :model"
                                  " AND minute BETWEEN :first AND :last"
                                  " GROUP BY label, confidence_bin, ood"),
                   QStringLiteral("read served predictions by class and confidence"));
    query.bindAll({{QStringLiteral(":model"), modelId},
                   {QStringLiteral(":first"), firstMinute},
                   {QStringLiteral(":last"), lastMinute}});
    query.exec();
    ServedTotals totals;
    while (query.next()) {
        const int label = query.value(0).toInt();
        const int bin = query.value(1).toInt();
        const qint64 count = query.value(3).toLongLong();
        if (label < 0 || label >= ServedClasses || bin < 0 || bin >= ConfidenceBins) {
            continue; // the table's CHECK constraints keep these out
        }
        totals.answers += count;
        totals.ood += query.value(2).toInt() != 0 ? count : 0;
        totals.byLabel[static_cast<size_t>(label)] += count;
        totals.byConfidenceBin[static_cast<size_t>(bin)] += count;
    }
    return totals;
}

std::vector<ServedBucket> ServingPredictionRepository::buckets(qint64 modelId, qint64 firstMinute,
                                                               qint64 lastMinute,
                                                               qint64 bucketMinutes,
                                                               int lowBelowBin) const
{
    const qint64 width = std::max<qint64>(1, bucketMinutes);
    SqlQuery query(m_db,
                   QStringLiteral("SELECT (minute - :first) / :width AS bucket, SUM(count),"
                                  " SUM(CASE WHEN confidence_bin < :low THEN count ELSE 0 END),"
                                  " SUM(CASE WHEN ood = 1 THEN count ELSE 0 END)"
                                  " FROM serving_predictions WHERE model_id = :model"
                                  " AND minute BETWEEN :first AND :last"
                                  " GROUP BY bucket ORDER BY bucket"),
                   QStringLiteral("read served predictions over time"));
    query.bindAll({{QStringLiteral(":model"), modelId},
                   {QStringLiteral(":first"), firstMinute},
                   {QStringLiteral(":last"), lastMinute},
                   {QStringLiteral(":width"), width},
                   {QStringLiteral(":low"), lowBelowBin}});
    query.exec();
    std::vector<ServedBucket> buckets;
    while (query.next()) {
        buckets.push_back({firstMinute + query.value(0).toLongLong() * width,
                           query.value(1).toLongLong(), query.value(2).toLongLong(),
                           query.value(3).toLongLong()});
    }
    return buckets;
}

std::vector<std::pair<qint64, qint64>>
ServingPredictionRepository::answersByModel(qint64 firstMinute, qint64 lastMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT model_id, SUM(count) FROM serving_predictions"
                                  " WHERE minute BETWEEN :first AND :last"
                                  " GROUP BY model_id ORDER BY model_id"),
                   QStringLiteral("read served predictions by model"));
    query.bindAll({{QStringLiteral(":first"), firstMinute}, {QStringLiteral(":last"), lastMinute}});
    query.exec();
    std::vector<std::pair<qint64, qint64>> models;
    while (query.next()) {
        models.emplace_back(query.value(0).toLongLong(), query.value(1).toLongLong());
    }
    return models;
}

} // namespace digitdesk::storage
