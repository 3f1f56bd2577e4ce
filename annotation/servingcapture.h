#pragma once

#include "storage/blobstore.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <vector>

namespace digitdesk::annotation {

// An image the endpoint answered with low confidence, and that answer.
struct CapturedImage
{
    QByteArray pixels;   // 28x28, white ink on black, as the model saw it
    QByteArray original; // the PNG or JPEG the client sent; empty for a tensor request
    qint64 modelId = 0;
    int label = 0;
    float confidence = 0;
    std::array<float, 10> probabilities{};
};

// An image production and the candidate answered differently in shadow: production's answer
// in `production`, the candidate's beside it.
struct ShadowDisagreement
{
    CapturedImage production;
    qint64 candidateModelId = 0;
    int candidateLabel = 0;
    float candidateConfidence = 0;
};

// Puts the endpoint's low-confidence traffic into the annotation queue: each image not seen
// before becomes an incoming item of source "serving" with the serving model's prediction,
// so the queue shows it where its confidence puts it.
class ServingCapture final
{
public:
    static inline const QString Source = QStringLiteral("serving");
    static inline const QString Actor = QStringLiteral("serving endpoint");
    // Larger originals are not kept (the 28x28 image and its prediction still are).
    static constexpr qsizetype MaxOriginalBytes = 4 << 20;

    ServingCapture(const QSqlDatabase &db, const storage::BlobStore &blobs);

    // One transaction for the whole group; originals are durable before their rows commit.
    // Returns how many images were new.
    int store(const std::vector<CapturedImage> &images);
    // Each image not disagreed on before becomes (or stays) an incoming item with production's
    // prediction, marked "models disagree" and put at the front of the queue, once. Returns
    // how many disagreements were new.
    int storeDisagreements(const std::vector<ShadowDisagreement> &disagreements);

private:
    // Writes and flushes, before any transaction, the originals of the images the workspace
    // does not hold yet.
    void keepOriginals(const std::vector<const CapturedImage *> &images);
    // The image's id, inserting it when it is new.
    qint64 insertOrFind(const CapturedImage &image, bool *isNew);

    QSqlDatabase m_db;
    const storage::BlobStore &m_blobs;
};

} // namespace digitdesk::annotation
