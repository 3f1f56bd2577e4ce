#include "annotation/servingcapture.h"

#include "storage/imagerepository.h"
#include "storage/predictionrepository.h"
#include "storage/transaction.h"

#include <map>

namespace digitdesk::annotation {

ServingCapture::ServingCapture(const QSqlDatabase &db, const storage::BlobStore &blobs)
    : m_db(db), m_blobs(blobs)
{}

int ServingCapture::store(const std::vector<CapturedImage> &images)
{
    storage::Transaction transaction(m_db);
    storage::ImageRepository repository(m_db);
    const storage::ActorRef actor{Actor, 0, 0};
    std::map<qint64, std::vector<storage::StoredPrediction>> byModel;
    bool wroteBlobs = false;
    int stored = 0;
    for (const CapturedImage &image : images) {
        const bool keepOriginal =
            !image.original.isEmpty() && image.original.size() <= MaxOriginalBytes;
        storage::NewImage row;
        row.sha256 = storage::BlobStore::digestOf(image.pixels);
        row.source = Source;
        row.pixels = image.pixels;
        row.originalSha256 =
            keepOriginal ? storage::BlobStore::digestOf(image.original) : QString();
        const qint64 id = repository.insert(row, actor);
        if (id == 0) {
            continue; // the same digit is already in the workspace: no row, no blob
        }
        if (keepOriginal) {
            m_blobs.putWithDigest(image.original, row.originalSha256);
            wroteBlobs = true;
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

} // namespace digitdesk::annotation
