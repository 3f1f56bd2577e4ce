#include "annotation/servingcapture.h"

#include "storage/imagerepository.h"
#include "storage/predictionrepository.h"
#include "storage/shadowrepository.h"
#include "storage/transaction.h"

#include <map>

namespace digitdesk::annotation {

ServingCapture::ServingCapture(const QSqlDatabase &db, const storage::BlobStore &blobs)
    : m_db(db), m_blobs(blobs)
{}

qint64 ServingCapture::insertOrFind(const CapturedImage &image, bool *isNew, bool *wroteBlob)
{
    storage::ImageRepository repository(m_db);
    const bool keepOriginal =
        !image.original.isEmpty() && image.original.size() <= MaxOriginalBytes;
    storage::NewImage row;
    row.sha256 = storage::BlobStore::digestOf(image.pixels);
    row.source = Source;
    row.pixels = image.pixels;
    row.originalSha256 = keepOriginal ? storage::BlobStore::digestOf(image.original) : QString();
    const qint64 id = repository.insert(row, storage::ActorRef{Actor, 0, 0});
    *isNew = id != 0;
    if (id == 0) {
        return repository.idOfDigest(row.sha256); // the same digit is in the workspace already
    }
    if (keepOriginal) {
        m_blobs.putWithDigest(image.original, row.originalSha256);
        *wroteBlob = true;
    }
    return id;
}

int ServingCapture::store(const std::vector<CapturedImage> &images)
{
    storage::Transaction transaction(m_db);
    std::map<qint64, std::vector<storage::StoredPrediction>> byModel;
    bool wroteBlobs = false;
    int stored = 0;
    for (const CapturedImage &image : images) {
        bool isNew = false;
        const qint64 id = insertOrFind(image, &isNew, &wroteBlobs);
        if (!isNew) {
            continue; // no new row, no new prediction
        }
        ++stored;
        byModel[image.modelId].push_back(
            {id, image.label, static_cast<double>(image.confidence), image.probabilities});
    }
    for (const auto &[modelId, predictions] : byModel) {
        storage::PredictionRepository(m_db).store(modelId, predictions);
    }
    if (wroteBlobs) {
        m_blobs.flush(); // the originals are durable before the rows that name them commit
    }
    transaction.commit();
    return stored;
}

int ServingCapture::storeDisagreements(const std::vector<ShadowDisagreement> &disagreements)
{
    storage::Transaction transaction(m_db);
    storage::ShadowRepository shadow(m_db);
    bool wroteBlobs = false;
    int stored = 0;
    for (const ShadowDisagreement &disagreement : disagreements) {
        const CapturedImage &image = disagreement.production;
        bool isNew = false;
        const qint64 id = insertOrFind(image, &isNew, &wroteBlobs);
        if (id == 0) {
            continue;
        }
        if (isNew) {
            storage::PredictionRepository(m_db).store(
                image.modelId,
                {{id, image.label, static_cast<double>(image.confidence), image.probabilities}});
        }
        storage::ModelDisagreement row;
        row.imageId = id;
        row.productionModelId = image.modelId;
        row.candidateModelId = disagreement.candidateModelId;
        row.productionLabel = image.label;
        row.productionConfidence = image.confidence;
        row.candidateLabel = disagreement.candidateLabel;
        row.candidateConfidence = disagreement.candidateConfidence;
        stored += shadow.recordDisagreement(row) ? 1 : 0;
    }
    if (wroteBlobs) {
        m_blobs.flush();
    }
    transaction.commit();
    return stored;
}

} // namespace digitdesk::annotation
