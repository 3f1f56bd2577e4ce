#include "annotation/private/datasetrowimporter.h"

#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/blobstore.h"
#include "storage/datasetversionrepository.h"
#include "storage/imagerepository.h"
#include "storage/labelrepository.h"
#include "storage/reviewrepository.h"
#include "storage/timestamps.h"
#include "storage/transaction.h"

#include <QList>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

constexpr size_t Batch = 512;

QList<QByteArray> checkedPixels(const storage::DatasetGit &git, const QString &tag,
                                const QString &commitId, const std::vector<DatasetRow> &rows)
{
    QList<QByteArray> pixels;
    pixels.reserve(static_cast<qsizetype>(rows.size()));
    for (const DatasetRow &row : rows) {
        const QString path = datasetfiles::imagePath(row.sha256);
        QString error;
        const QByteArray image = decodeDatasetPng(git.readFile(commitId, path), &error);
        if (image.isEmpty()) {
            throw InvalidRequest(QStringLiteral("%1: %2: %3").arg(tag, path, error));
        }
        if (storage::BlobStore::digestOf(image) != row.sha256) {
            throw InvalidRequest(
                QStringLiteral("%1: %2: the pixels do not match the name").arg(tag, path));
        }
        pixels.append(image);
    }
    return pixels;
}

} // namespace

int importDatasetRows(const QSqlDatabase &db, const storage::DatasetGit &git, const QString &tag,
                      const QString &commitId, const std::vector<DatasetRow> &rows,
                      const Principal &who, const AccessControl &access)
{
    const QList<QByteArray> pixels = checkedPixels(git, tag, commitId, rows);
    storage::ImageRepository images(db);
    storage::LabelRepository labels(db);
    storage::ReviewRepository reviews(db);
    storage::DatasetVersionRepository versions(db);
    const storage::ActorRef actor = who.actorRef();
    const QString comment = QStringLiteral("from dataset version %1 (%2)").arg(tag, commitId);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int imported = 0;
    for (size_t first = 0; first < rows.size(); first += Batch) {
        const size_t end = std::min(rows.size(), first + Batch);
        storage::Transaction transaction(db);
        for (size_t i = first; i < end; ++i) {
            const DatasetRow &row = rows[i];
            storage::NewImage image;
            image.sha256 = row.sha256;
            image.source = row.source;
            image.pixels = pixels[static_cast<qsizetype>(i)];
            const qint64 id = images.insert(image, actor);
            if (id == 0) {
                continue;
            }
            const QDateTime approvedAt = row.approvedAt.isValid() ? row.approvedAt : now;
            const qint64 labelId =
                versions.addVersionLabel(id, row.label, row.annotator, actor, approvedAt);
            reviews.addReviewAt(labelId, QStringLiteral("approved"), std::nullopt, row.reviewer, 0,
                                actor.sessionId, comment, storage::toDbTime(approvedAt));
            labels.setStatus(id, storage::ImageStatus::Approved);
            ++imported;
        }
        access.audit(who, Action::ManageDatasets, tag,
                     QStringLiteral("imported rows %1-%2 of %3 as approved images")
                         .arg(first + 1)
                         .arg(end)
                         .arg(rows.size()));
        transaction.commit();
    }
    return imported;
}

} // namespace digitdesk::annotation
