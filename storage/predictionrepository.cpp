#include "storage/predictionrepository.h"

#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

#include <QStringList>

#include <algorithm>
#include <functional>

namespace digitdesk::storage {
namespace {

const QString Unpredicted = QStringLiteral(
    " FROM images i WHERE i.status = :incoming AND NOT EXISTS (SELECT 1 FROM predictions p"
    " WHERE p.image_id = i.id AND p.model_id = :model)");

} // namespace

std::vector<PendingImage> PredictionRepository::unlabelledWithoutPrediction(qint64 modelId,
                                                                            int limit) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT i.id, i.pixels") + Unpredicted +
                       QStringLiteral(" ORDER BY i.id LIMIT :limit"),
                   QStringLiteral("list images awaiting a prediction"));
    query.bindAll({{QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
                   {QStringLiteral(":model"), modelId},
                   {QStringLiteral(":limit"), limit}});
    query.exec();
    std::vector<PendingImage> images;
    while (query.next()) {
        images.push_back({query.value(0).toLongLong(), query.value(1).toByteArray()});
    }
    return images;
}

qint64 PredictionRepository::countUnlabelledWithoutPrediction(qint64 modelId) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT COUNT(*)") + Unpredicted,
                   QStringLiteral("count images awaiting a prediction"));
    query.bindAll({{QStringLiteral(":incoming"), labelsql::toColumn(ImageStatus::Incoming)},
                   {QStringLiteral(":model"), modelId}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

void PredictionRepository::store(qint64 modelId, const std::vector<StoredPrediction> &predictions)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO predictions (image_id, model_ref, model_id, label,"
                       " confidence, margin, probabilities, created_at) VALUES (:image,"
                       " :ref, :model, :label, :confidence, :margin, :probabilities, :at)"),
        QStringLiteral("store a prediction"));
    SqlQuery queue(
        m_db,
        QStringLiteral("UPDATE images SET queue_confidence = :confidence, queue_margin = :margin"
                       " WHERE id = :image AND queue_confidence <> :front"),
        QStringLiteral("order an image in the queue"));
    const QString at = nowDbTime();
    for (const StoredPrediction &prediction : predictions) {
        QStringList values;
        for (float p : prediction.probabilities) {
            values << QString::number(p, 'g', 6);
        }
        std::array<float, 10> sorted = prediction.probabilities;
        std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
        query.bindAll({{QStringLiteral(":image"), prediction.imageId},
                       {QStringLiteral(":ref"), QStringLiteral("model:%1").arg(modelId)},
                       {QStringLiteral(":model"), modelId},
                       {QStringLiteral(":label"), prediction.label},
                       {QStringLiteral(":confidence"), prediction.confidence},
                       {QStringLiteral(":margin"), static_cast<double>(sorted[0] - sorted[1])},
                       {QStringLiteral(":probabilities"),
                        QLatin1Char('[') + values.join(QLatin1Char(',')) + QLatin1Char(']')},
                       {QStringLiteral(":at"), at}});
        query.exec();
        queue.bindAll({{QStringLiteral(":confidence"), prediction.confidence},
                       {QStringLiteral(":margin"), static_cast<double>(sorted[0] - sorted[1])},
                       {QStringLiteral(":image"), prediction.imageId},
                       {QStringLiteral(":front"), QueueFrontConfidence}});
        queue.exec();
    }
}

std::vector<StoredPrediction> PredictionRepository::forImage(qint64 imageId) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT label, confidence, probabilities FROM predictions WHERE"
                                  " image_id = :image ORDER BY id DESC"),
                   QStringLiteral("read the predictions of image #%1").arg(imageId));
    query.bind(QStringLiteral(":image"), imageId);
    query.exec();
    std::vector<StoredPrediction> result;
    while (query.next()) {
        StoredPrediction prediction;
        prediction.imageId = imageId;
        prediction.label = query.value(0).toInt();
        prediction.confidence = query.value(1).toDouble();
        const QStringList values =
            query.value(2).toString().mid(1).chopped(1).split(QLatin1Char(','));
        for (int i = 0; i < std::min<int>(10, static_cast<int>(values.size())); ++i) {
            prediction.probabilities[static_cast<size_t>(i)] = values[i].toFloat();
        }
        result.push_back(prediction);
    }
    return result;
}

} // namespace digitdesk::storage
