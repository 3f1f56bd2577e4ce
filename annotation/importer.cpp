#include "annotation/importer.h"

#include "annotation/accesscontrol.h"
#include "annotation/idxfile.h"
#include "annotation/imagenormalizer.h"
#include "annotation/private/decodebudget.h"
#include "annotation/private/importsource.h"
#include "storage/blobstore.h"
#include "storage/dialect.h"
#include "storage/imagerepository.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentMap>

namespace digitdesk::annotation {
namespace {

// An import this big changes the tables enough for PostgreSQL's plans to need new statistics.
constexpr qint64 BulkImportRows = 1000;

storage::ImportedLabel labelKind(LabelPolicy policy, const storage::MaybeLabel &label)
{
    if (!label || policy == LabelPolicy::Ignore) {
        return storage::ImportedLabel::None;
    }
    return policy == LabelPolicy::Approved ? storage::ImportedLabel::Approved
                                           : storage::ImportedLabel::Unreviewed;
}

struct Prepared
{
    NormalizedImage image;
    QString originalDigest;
};

Prepared prepare(const ImportItem &item)
{
    Prepared prepared;
    if (!item.error.isEmpty()) {
        prepared.image.error = item.error;
    } else if (item.encoded) {
        prepared.image.error = decodeRefusal(decodeCostOf(item.bytes));
        if (!prepared.image.ok()) {
            return prepared;
        }
        prepared.image = ImageNormalizer::fromEncoded(item.bytes);
        if (prepared.image.ok()) {
            prepared.originalDigest = storage::BlobStore::digestOf(item.bytes);
        }
    } else if (item.width == NormalizedImage::Side && item.height == NormalizedImage::Side) {
        // IDX and CSV rows are MNIST form already: normalising them again would only blur them.
        prepared.image.pixels = item.bytes;
    } else {
        prepared.image = ImageNormalizer::fromGray(
            reinterpret_cast<const unsigned char *>(item.bytes.constData()), item.width,
            item.height, item.width);
    }
    return prepared;
}

// A scan that cannot be stored stops the import: the disk or the workspace is at fault, not
// the file, and every scan after it would fail the same way. Its batch is not committed.
void storeOriginal(const storage::BlobStore &blobs, const ImportItem &item, const QString &digest)
{
    try {
        blobs.putWithDigest(item.bytes, digest);
    } catch (const storage::StorageError &error) {
        throw storage::StorageError(
            QStringLiteral("cannot store the scan %1: %2").arg(item.name, error.message()));
    }
}

} // namespace

bool parseLabelPolicy(const QString &text, LabelPolicy *policy)
{
    if (text == QStringLiteral("ignore")) {
        *policy = LabelPolicy::Ignore;
    } else if (text == QStringLiteral("unreviewed")) {
        *policy = LabelPolicy::Unreviewed;
    } else if (text == QStringLiteral("approved")) {
        *policy = LabelPolicy::Approved;
    } else {
        return false;
    }
    return true;
}

Importer::Importer(const QSqlDatabase &db, const storage::BlobStore &blobs, Principal who)
    : m_db(db), m_blobs(blobs), m_who(std::move(who))
{}

ImportReport Importer::run(const QStringList &paths, const ImportOptions &options,
                           const Progress &progress, const std::atomic<bool> *cancel)
{
    const AccessControl access(m_db);
    access.require(m_who, Action::ImportImages, paths.join(QLatin1Char(' ')));
    if (options.labels == LabelPolicy::Approved) {
        // Approving labels wholesale is a reviewer's decision as well as an import.
        access.require(m_who, Action::Review, paths.join(QLatin1Char(' ')));
    }

    QElapsedTimer timer;
    timer.start();
    ImportReport report;
    ImportSource source(paths, options.source);
    report.skipped = source.skippedFiles();
    const qint64 total = source.estimatedTotal();
    storage::ImageRepository images(m_db);
    const storage::ActorRef actor = m_who.actorRef();
    qint64 done = 0;

    while (!source.atEnd()) {
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        const std::vector<ImportItem> batch = source.nextBatch(BatchSize, MaxBatchBytes);
        if (batch.empty()) {
            continue; // every file it reached failed as a whole; source.problems() says why
        }
        const QList<Prepared> prepared =
            QtConcurrent::blockingMapped<QList<Prepared>>(batch, prepare);

        bool anyBlob = false;
        for (qsizetype i = 0; i < prepared.size(); ++i) {
            if (prepared[i].image.ok() && !prepared[i].originalDigest.isEmpty()) {
                storeOriginal(m_blobs, batch[static_cast<size_t>(i)], prepared[i].originalDigest);
                anyBlob = true;
            }
        }
        if (anyBlob) {
            m_blobs.flush();
        }

        storage::Transaction transaction(m_db);
        for (qsizetype i = 0; i < prepared.size(); ++i) {
            const ImportItem &item = batch[static_cast<size_t>(i)];
            const Prepared &result = prepared[i];
            if (!result.image.ok()) {
                report.problems.push_back({item.name, result.image.error});
                continue;
            }
            storage::NewImage image;
            image.pixels = result.image.pixels;
            image.sha256 = storage::BlobStore::digestOf(image.pixels);
            image.source = item.source;
            image.originalSha256 = result.originalDigest;
            image.originalName = item.encoded ? item.name : QString();
            image.labelKind = labelKind(options.labels, item.label);
            image.label = item.label.value_or(storage::Label::notADigit());
            if (images.insert(image, actor) > 0) {
                ++report.imported;
            } else {
                ++report.duplicates;
                report.duplicateItems << item.name;
            }
        }
        access.audit(m_who, Action::ImportImages, batch.front().source,
                     QStringLiteral("batch of %1").arg(batch.size()));
        transaction.commit();
        done += static_cast<qint64>(batch.size());
        if (progress) {
            progress(done, std::max(total, done));
        }
    }
    if (report.imported >= BulkImportRows) {
        storage::Dialect::of(m_db).refreshStatistics(m_db);
    }
    // Files refused as a whole come first: they say more than any one bad row.
    report.problems.insert(report.problems.begin(), source.problems().begin(),
                           source.problems().end());
    report.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return report;
}

} // namespace digitdesk::annotation
