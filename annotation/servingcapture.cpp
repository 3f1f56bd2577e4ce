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

namespace {

bool keepsOriginal(const CapturedImage &image)
{
    return !image.original.isEmpty() && image.original.size() <= ServingCapture::MaxOriginalBytes;
}

} // namespace

void ServingCapture::keepOriginals(const std::vector<const CapturedImage *> &images)
{
    // A syncfs inside BEGIN IMMEDIATE would make every other writer (a label committed in the
    // GUI) wait for the disk as well. A row another process inserts meanwhile leaves a blob
    // that no row names, which costs a file and nothing else.
    const storage::ImageRepository repository(m_db);
    bool wrote = false;
    for (const CapturedImage *image : images) {
        if (keepsOriginal(*image) &&
            repository.idOfDigest(storage::BlobStore::digestOf(image->pixels)) == 0) {
            m_blobs.putWithDigest(image->original, storage::BlobStore::digestOf(image->original));
            wrote = true;
        }
    }
    if (wrote) {
        m_blobs.flush(); // the originals are durable before the rows that name them commit
    }
}

qint64 ServingCapture::insertOrFind(const CapturedImage &image, bool *isNew)
{
    storage::ImageRepository repository(m_db);
    storage::NewImage row;
    row.sha256 = storage::BlobStore::digestOf(image.pixels);
    row.source = Source;
    row.pixels = image.pixels;
    // Only an original keepOriginals() has written is named: one it skipped belongs to an image
    // that was there already, and the insert below finds it.
    row.originalSha256 =
        keepsOriginal(image) ? storage::BlobStore::digestOf(image.original) : QString();
    const qint64 id = repository.insert(row, storage::ActorRef{Actor, 0, 0});
    *isNew = id != 0;
    if (id == 0) {
        return repository.idOfDigest(row.sha256); // the same digit is in the workspace already
    }
    return id;
}

int ServingCapture::store(const std::vector<CapturedImage> &images)
{
    std::vector<const CapturedImage *> all;
    for (const CapturedImage &image : images) {
        all.push_back(&image);
    }
    keepOriginals(all);
    storage::Transaction transaction(m_db);
    std::map<qint64, std::vector<storage::StoredPrediction>> byModel;
    int stored = 0;
    for (const CapturedImage &image : images) {
        bool isNew = false;
        const qint64 id = insertOrFind(image, &isNew);
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
    transaction.commit();
    return stored;
}

int ServingCapture::storeDisagreements(const std::vector<ShadowDisagreement> &disagreements)
{
    std::vector<const CapturedImage *> all;
    for (const ShadowDisagreement &disagreement : disagreements) {
        all.push_back(&disagreement.production);
    }
    keepOriginals(all);
    storage::Transaction transaction(m_db);
    storage::ShadowRepository shadow(m_db);
    int stored = 0;
    for (const ShadowDisagreement &disagreement : disagreements) {
        const CapturedImage &image = disagreement.production;
        bool isNew = false;
        const qint64 id = insertOrFind(image, &isNew);
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
    transaction.commit();
    return stored;
}

} // namespace digitdesk::annotation
