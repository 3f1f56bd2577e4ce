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
    std::vector<QString> originals;
    originals.reserve(images.size());
    bool wroteBlobs = false;
    for (const CapturedImage &image : images) {
        if (image.original.isEmpty()) {
            originals.emplace_back();
            continue;
        }
        originals.push_back(m_blobs.put(image.original));
        wroteBlobs = true;
    }
    if (wroteBlobs) {
        m_blobs.flush();
    }
    storage::Transaction transaction(m_db);
    storage::ImageRepository repository(m_db);
    const storage::ActorRef actor{Actor, 0, 0};
    std::map<qint64, std::vector<storage::StoredPrediction>> byModel;
    int stored = 0;
    for (size_t i = 0; i < images.size(); ++i) {
        const CapturedImage &image = images[i];
        storage::NewImage row;
        row.sha256 = storage::BlobStore::digestOf(image.pixels);
        row.source = Source;
        row.pixels = image.pixels;
        row.originalSha256 = originals[i];
        const qint64 id = repository.insert(row, actor);
        if (id == 0) {
            continue; // the same digit is already in the workspace
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

} // namespace digitdesk::annotation
