#include "annotation/private/comparisonsets.h"

#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/userservice.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>

namespace digitdesk::annotation::comparisonsets {
namespace {

// Pixels are read from the workspace this many images at a time.
constexpr size_t ReadChunk = 2048;

} // namespace

EvaluationSet heldOut(const DatasetService &datasets, const Principal &who, const QString &tag,
                      const QHash<QString, qint64> &imageIds)
{
    const QTemporaryDir folder;
    if (!folder.isValid()) {
        throw InvalidRequest(QStringLiteral("cannot check out %1 for a comparison: %2")
                                 .arg(tag, folder.errorString()));
    }
    const auto [imagesPath, labelsPath] = datasets.versionFiles(who, tag, folder.path());
    const IdxArray images = readIdxFile(imagesPath);
    const IdxArray labels = readIdxFile(labelsPath);
    if (images.itemSize() != models::PixelCount || labels.itemCount() != images.itemCount()) {
        throw InvalidRequest(
            QStringLiteral("%1: its training files are not one 28x28 image per label").arg(tag));
    }
    const HeldOutSplit split = heldOutSplit(static_cast<size_t>(labels.itemCount()));
    EvaluationSet set;
    set.name = QStringLiteral("held-out split of %1").arg(tag);
    set.labels.reserve(split.heldOut.size());
    set.pixels.reserve(split.heldOut.size() * models::PixelCount);
    for (size_t index : split.heldOut) {
        const QByteArray pixels =
            images.data.mid(static_cast<qsizetype>(index) * models::PixelCount, models::PixelCount);
        const QString sha256 = storage::BlobStore::digestOf(pixels);
        set.labels.push_back(static_cast<uint8_t>(labels.data[static_cast<qsizetype>(index)]));
        set.pixels.insert(set.pixels.end(), pixels.begin(), pixels.end());
        set.sha256s.push_back(sha256);
        set.imageIds.push_back(imageIds.value(sha256));
    }
    return set;
}

EvaluationSet approvedSince(const QSqlDatabase &db,
                            const std::vector<storage::ApprovedImage> &approved,
                            const std::vector<DatasetRow> &versionRows, const QString &tag)
{
    QSet<QString> inVersion;
    inVersion.reserve(static_cast<qsizetype>(versionRows.size()));
    for (const DatasetRow &row : versionRows) {
        inVersion.insert(row.sha256);
    }
    std::vector<const storage::ApprovedImage *> newer;
    for (const storage::ApprovedImage &image : approved) {
        if (image.label.isDigit() && !inVersion.contains(image.sha256)) {
            newer.push_back(&image);
        }
    }
    std::sort(newer.begin(), newer.end(),
              [](const auto *a, const auto *b) { return a->imageId < b->imageId; });

    EvaluationSet set;
    set.name = QStringLiteral("labels approved since %1").arg(tag);
    const storage::ImageRepository repository(db);
    for (size_t first = 0; first < newer.size(); first += ReadChunk) {
        const size_t end = std::min(newer.size(), first + ReadChunk);
        std::vector<qint64> ids;
        for (size_t i = first; i < end; ++i) {
            ids.push_back(newer[i]->imageId);
        }
        const QHash<qint64, QByteArray> pixels = repository.pixels(ids);
        for (size_t i = first; i < end; ++i) {
            const QByteArray image = pixels.value(newer[i]->imageId);
            if (image.size() != models::PixelCount) {
                throw InvalidRequest(QStringLiteral("image #%1 (%2): it has no 28x28 pixels")
                                         .arg(newer[i]->imageId)
                                         .arg(newer[i]->sha256));
            }
            set.labels.push_back(static_cast<uint8_t>(newer[i]->label.digit()));
            set.pixels.insert(set.pixels.end(), image.begin(), image.end());
            set.sha256s.push_back(newer[i]->sha256);
            set.imageIds.push_back(newer[i]->imageId);
        }
    }
    return set;
}

QSet<QString> learntFrom(const std::vector<DatasetRow> &versionRows, const QString &hyperparameters)
{
    // The training files hold the digit rows in labels.csv order (DatasetExporter::idx).
    std::vector<const DatasetRow *> digits;
    for (const DatasetRow &row : versionRows) {
        if (row.label.isDigit()) {
            digits.push_back(&row);
        }
    }
    const QJsonObject recorded = QJsonDocument::fromJson(hyperparameters.toUtf8()).object();
    models::TrainingOptions options;
    bool ok = false;
    const quint64 splitSeed =
        recorded.value(QStringLiteral("split_seed")).toString().toULongLong(&ok);
    if (ok) {
        options.splitSeed = splitSeed;
    }
    options.validationFraction =
        recorded.value(QStringLiteral("validation_fraction")).toDouble(options.validationFraction);
    QSet<QString> learnt;
    for (size_t index : heldOutSplit(digits.size(), options).train) {
        learnt.insert(digits[index]->sha256);
    }
    return learnt;
}

int countIn(const EvaluationSet &set, const QSet<QString> &learnt)
{
    return static_cast<int>(
        std::count_if(set.sha256s.begin(), set.sha256s.end(),
                      [&](const QString &sha) { return learnt.contains(sha); }));
}

} // namespace digitdesk::annotation::comparisonsets
