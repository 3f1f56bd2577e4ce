#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <vector>

namespace digitdesk::storage {

// The queue position of an incoming image two served models disagree on: before every
// prediction's confidence (0..1) and before images without one (-1). A new prediction keeps it.
inline constexpr double QueueFrontConfidence = -2.0;

struct PendingImage
{
    qint64 id = 0;
    QByteArray pixels;
};

struct StoredPrediction
{
    qint64 imageId = 0;
    int label = 0;
    double confidence = 0;
    std::array<float, 10> probabilities{};
};

// The production model's predictions for images; the queue orders unlabelled images by them.
class PredictionRepository final
{
public:
    explicit PredictionRepository(const QSqlDatabase &db) : m_db(db) {}

    // Unlabelled images that have no prediction from this model yet, lowest id first.
    std::vector<PendingImage> unlabelledWithoutPrediction(qint64 modelId, int limit) const;
    qint64 countUnlabelledWithoutPrediction(qint64 modelId) const;
    // Stores the production model's predictions and puts the images in queue order by them.
    void store(qint64 modelId, const std::vector<StoredPrediction> &predictions);
    std::vector<StoredPrediction> forImage(qint64 imageId) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
