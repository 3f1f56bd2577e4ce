#include "annotation/private/datasetversionbuilder.h"

#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/blobstore.h"
#include "storage/datasetversionrepository.h"
#include "storage/imagerepository.h"

#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

// Images are read and encoded this many at a time, so memory stays flat at 60,000 images and
// progress moves.
constexpr size_t EncodeChunk = 2048;

} // namespace

DatasetVersionBuilder::DatasetVersionBuilder(const QSqlDatabase &db, const storage::DatasetGit &git)
    : m_db(db), m_git(git)
{}

VersionChanges DatasetVersionBuilder::build(const QString &tag, const QString &parentTag,
                                            const QString &parentCommit,
                                            const DatasetService::Progress &progress) const
{
    std::vector<storage::ApprovedImage> approved =
        storage::DatasetVersionRepository(m_db).approvedImages();
    if (approved.empty()) {
        throw InvalidRequest(QStringLiteral("nothing to commit: no image is approved yet"));
    }
    std::sort(approved.begin(), approved.end(),
              [](const auto &a, const auto &b) { return a.sha256 < b.sha256; });
    const QByteArray labels = datasetfiles::writeLabels(approved);

    // The parent's labels.csv says which images its tree holds: both lists are sorted, so one
    // merge finds the images to add and those to remove.
    QByteArray parentLabels;
    std::vector<QByteArrayView> parentImages;
    if (!parentCommit.isEmpty()) {
        parentLabels = m_git.readFile(parentCommit, datasetfiles::LabelsPath);
        if (parentLabels == labels) {
            throw InvalidRequest(
                QStringLiteral("nothing changed since %1: no image was approved, relabelled or "
                               "removed")
                    .arg(parentTag));
        }
        parentImages = datasetfiles::imageNamesOf(
            parentLabels, QStringLiteral("%1: %2").arg(parentTag, datasetfiles::LabelsPath));
    }
    std::vector<qint64> newIds;
    std::vector<QString> newShas;
    QStringList removed;
    auto parent = parentImages.cbegin();
    for (const storage::ApprovedImage &image : approved) {
        int order = -1;
        while (parent != parentImages.cend() &&
               (order = image.sha256.compare(QLatin1String(parent->data(), parent->size()))) > 0) {
            removed << QString::fromLatin1(parent->data(), parent->size());
            ++parent;
        }
        if (order == 0 && parent != parentImages.cend()) {
            ++parent;
        } else {
            newIds.push_back(image.imageId);
            newShas.push_back(image.sha256);
        }
    }
    for (; parent != parentImages.cend(); ++parent) {
        removed << QString::fromLatin1(parent->data(), parent->size());
    }

    VersionChanges result;
    result.changes = encodeImages(newIds, newShas, progress);
    result.imagesAdded = static_cast<int>(newIds.size());
    for (const QString &sha256 : std::as_const(removed)) {
        result.changes.push_back({datasetfiles::imagePath(sha256), std::nullopt});
    }
    result.imagesRemoved = static_cast<int>(removed.size());
    result.manifest.tag = tag;
    result.manifest.imageCount = static_cast<int>(approved.size());
    result.manifest.histogram = datasetfiles::histogramOf(approved);
    result.manifest.parentTag = parentTag;
    result.manifest.parentCommit = parentCommit;
    result.changes.push_back({datasetfiles::LabelsPath, labels});
    result.changes.push_back(
        {datasetfiles::ManifestPath, datasetfiles::writeManifest(result.manifest)});
    return result;
}

std::vector<storage::TreeChange>
DatasetVersionBuilder::encodeImages(const std::vector<qint64> &imageIds,
                                    const std::vector<QString> &sha256s,
                                    const DatasetService::Progress &progress) const
{
    const storage::ImageRepository images(m_db);
    std::vector<storage::TreeChange> changes;
    changes.reserve(imageIds.size() + 2);
    const auto total = static_cast<qint64>(imageIds.size());
    for (size_t first = 0; first < imageIds.size(); first += EncodeChunk) {
        const size_t end = std::min(imageIds.size(), first + EncodeChunk);
        const std::vector<qint64> chunk(imageIds.begin() + static_cast<qsizetype>(first),
                                        imageIds.begin() + static_cast<qsizetype>(end));
        const QHash<qint64, QByteArray> pixels = images.pixels(chunk);
        QList<QByteArray> chunkPixels;
        chunkPixels.reserve(static_cast<qsizetype>(chunk.size()));
        for (size_t i = first; i < end; ++i) {
            const QByteArray image = pixels.value(imageIds[i]);
            // The name is the digest of the pixels: a row whose pixels do not match it would
            // make a version that fails its own verification.
            if (storage::BlobStore::digestOf(image) != sha256s[i]) {
                throw InvalidRequest(
                    QStringLiteral("image #%1 (%2): its pixels do not match its SHA-256")
                        .arg(imageIds[i])
                        .arg(sha256s[i]));
            }
            chunkPixels.append(image);
        }
        const QList<QByteArray> encoded =
            QtConcurrent::blockingMapped<QList<QByteArray>>(chunkPixels, encodeDatasetPng);
        for (size_t i = first; i < end; ++i) {
            changes.push_back(
                {datasetfiles::imagePath(sha256s[i]), encoded[static_cast<qsizetype>(i - first)]});
        }
        if (progress) {
            progress(static_cast<qint64>(end), total);
        }
    }
    return changes;
}

} // namespace digitdesk::annotation
