#include "storage/shadowrepository.h"

#include "storage/labelsql.h"
#include "storage/predictionrepository.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

namespace digitdesk::storage {
namespace {

const QString PairAndSpan =
    QStringLiteral(" FROM shadow_agreement WHERE production_model_id = :production"
                   " AND candidate_model_id = :candidate AND minute BETWEEN :first AND :last");

void bindPairAndSpan(SqlQuery &query, const ShadowPair &pair, qint64 firstMinute, qint64 lastMinute)
{
    query.bindAll({{QStringLiteral(":production"), pair.productionModelId},
                   {QStringLiteral(":candidate"), pair.candidateModelId},
                   {QStringLiteral(":first"), firstMinute},
                   {QStringLiteral(":last"), lastMinute}});
}

ModelDisagreement readDisagreement(const SqlQuery &query)
{
    ModelDisagreement row;
    row.imageId = query.value(0).toLongLong();
    row.productionModelId = query.value(1).toLongLong();
    row.candidateModelId = query.value(2).toLongLong();
    row.productionLabel = query.value(3).toInt();
    row.productionConfidence = query.value(4).toDouble();
    row.candidateLabel = query.value(5).toInt();
    row.candidateConfidence = query.value(6).toDouble();
    row.createdAt = fromDbTime(query.value(7).toString());
    return row;
}

const QString SelectDisagreement =
    QStringLiteral("SELECT image_id, production_model_id, candidate_model_id, production_label,"
                   " production_confidence, candidate_label, candidate_confidence, created_at"
                   " FROM model_disagreements");

} // namespace

void ShadowRepository::add(const std::vector<ShadowAgreementCount> &counts)
{
    SqlQuery query(
        m_db,
        QStringLiteral(
            "INSERT INTO shadow_agreement (minute, production_model_id, candidate_model_id,"
            " production_label, candidate_label, count, production_confidence_sum,"
            " candidate_confidence_sum) VALUES (:minute, :production, :candidate, :plabel,"
            " :clabel, :count, :pconf, :cconf) ON CONFLICT (minute, production_model_id,"
            " candidate_model_id, production_label, candidate_label) DO UPDATE SET"
            " count = shadow_agreement.count + excluded.count,"
            " production_confidence_sum = shadow_agreement.production_confidence_sum"
            "   + excluded.production_confidence_sum,"
            " candidate_confidence_sum = shadow_agreement.candidate_confidence_sum"
            "   + excluded.candidate_confidence_sum"),
        QStringLiteral("record shadow agreement per minute"));
    for (const ShadowAgreementCount &count : counts) {
        query.bindAll({{QStringLiteral(":minute"), count.minute},
                       {QStringLiteral(":production"), count.productionModelId},
                       {QStringLiteral(":candidate"), count.candidateModelId},
                       {QStringLiteral(":plabel"), count.productionLabel},
                       {QStringLiteral(":clabel"), count.candidateLabel},
                       {QStringLiteral(":count"), count.count},
                       {QStringLiteral(":pconf"), count.productionConfidenceSum},
                       {QStringLiteral(":cconf"), count.candidateConfidenceSum}});
        query.exec();
    }
}

std::optional<ShadowPair> ShadowRepository::latestPair(qint64 firstMinute, qint64 lastMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT production_model_id, candidate_model_id FROM"
                                  " shadow_agreement WHERE minute BETWEEN :first AND :last"
                                  " ORDER BY minute DESC LIMIT 1"),
                   QStringLiteral("find the models compared in shadow"));
    query.bindAll({{QStringLiteral(":first"), firstMinute}, {QStringLiteral(":last"), lastMinute}});
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return ShadowPair{query.value(0).toLongLong(), query.value(1).toLongLong()};
}

std::vector<ShadowBucket> ShadowRepository::buckets(const ShadowPair &pair, qint64 firstMinute,
                                                    qint64 lastMinute, qint64 bucketMinutes) const
{
    SqlQuery query(
        m_db,
        QStringLiteral("SELECT :first + ((minute - :first) / :size) * :size AS bucket,"
                       " SUM(count), SUM(CASE WHEN production_label = candidate_label THEN count"
                       " ELSE 0 END)") +
            PairAndSpan + QStringLiteral(" GROUP BY bucket ORDER BY bucket"),
        QStringLiteral("read shadow agreement over time"));
    bindPairAndSpan(query, pair, firstMinute, lastMinute);
    query.bind(QStringLiteral(":size"), std::max<qint64>(1, bucketMinutes));
    query.exec();
    std::vector<ShadowBucket> buckets;
    while (query.next()) {
        buckets.push_back({query.value(0).toLongLong(), query.value(1).toLongLong(),
                           query.value(2).toLongLong()});
    }
    return buckets;
}

std::array<std::array<qint64, 10>, 10>
ShadowRepository::confusion(const ShadowPair &pair, qint64 firstMinute, qint64 lastMinute) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT production_label, candidate_label, SUM(count)") +
                       PairAndSpan + QStringLiteral(" GROUP BY production_label, candidate_label"),
                   QStringLiteral("read the confusion between production and the candidate"));
    bindPairAndSpan(query, pair, firstMinute, lastMinute);
    query.exec();
    std::array<std::array<qint64, 10>, 10> cells{};
    while (query.next()) {
        const int row = query.value(0).toInt();
        const int column = query.value(1).toInt();
        if (row >= 0 && row < 10 && column >= 0 && column < 10) { // the CHECKs keep others out
            cells[static_cast<size_t>(row)][static_cast<size_t>(column)] =
                query.value(2).toLongLong();
        }
    }
    return cells;
}

bool ShadowRepository::recordDisagreement(const ModelDisagreement &disagreement)
{
    SqlQuery insert(
        m_db,
        QStringLiteral("INSERT INTO model_disagreements (image_id, production_model_id,"
                       " candidate_model_id, production_label, production_confidence,"
                       " candidate_label, candidate_confidence, created_at) VALUES (:image,"
                       " :production, :candidate, :plabel, :pconf, :clabel, :cconf, :at)"
                       " ON CONFLICT (image_id) DO NOTHING"),
        QStringLiteral("record that two models disagree on image #%1").arg(disagreement.imageId));
    insert.bindAll({{QStringLiteral(":image"), disagreement.imageId},
                    {QStringLiteral(":production"), disagreement.productionModelId},
                    {QStringLiteral(":candidate"), disagreement.candidateModelId},
                    {QStringLiteral(":plabel"), disagreement.productionLabel},
                    {QStringLiteral(":pconf"), disagreement.productionConfidence},
                    {QStringLiteral(":clabel"), disagreement.candidateLabel},
                    {QStringLiteral(":cconf"), disagreement.candidateConfidence},
                    {QStringLiteral(":at"), nowDbTime()}});
    insert.exec();
    if (insert.numRowsAffected() != 1) {
        return false;
    }
    SqlQuery front(
        m_db,
        QStringLiteral("UPDATE images SET queue_confidence = :front WHERE id = :image"
                       " AND status = :incoming"),
        QStringLiteral("put image #%1 at the front of the queue").arg(disagreement.imageId));
    front.bindAll({{QStringLiteral(":front"), QueueFrontConfidence},
                   {QStringLiteral(":image"), disagreement.imageId},
                   {QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)}});
    front.exec();
    return true;
}

std::optional<ModelDisagreement> ShadowRepository::disagreementOn(qint64 imageId) const
{
    SqlQuery query(m_db, SelectDisagreement + QStringLiteral(" WHERE image_id = :image"),
                   QStringLiteral("read the disagreement on image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readDisagreement(query);
}

std::vector<ModelDisagreement> ShadowRepository::latestDisagreements(const ShadowPair &pair,
                                                                     int limit) const
{
    SqlQuery query(m_db,
                   SelectDisagreement +
                       QStringLiteral(" WHERE production_model_id = :production AND"
                                      " candidate_model_id = :candidate"
                                      " ORDER BY created_at DESC, image_id DESC LIMIT :limit"),
                   QStringLiteral("read the latest disagreements between two models"));
    query.bindAll({{QStringLiteral(":production"), pair.productionModelId},
                   {QStringLiteral(":candidate"), pair.candidateModelId},
                   {QStringLiteral(":limit"), limit}});
    query.exec();
    std::vector<ModelDisagreement> rows;
    while (query.next()) {
        rows.push_back(readDisagreement(query));
    }
    return rows;
}

} // namespace digitdesk::storage
