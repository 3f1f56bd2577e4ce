#include "annotation/datasetservice.h"

#include "annotation/private/datasetdiff.h"
#include "annotation/private/datasetexporter.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/datasetrecords.h"
#include "annotation/private/datasetrecovery.h"
#include "annotation/private/datasetrowimporter.h"
#include "annotation/private/datasetverifier.h"
#include "annotation/private/datasetversionbuilder.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <optional>

namespace digitdesk::annotation {
namespace {

// A commit that finds another process's new version when it comes to publish builds again on
// that one; this many times at most.
constexpr int MaxCommitAttempts = 3;

// Git identities may not hold angle brackets or line breaks.
storage::GitSignature signatureOf(const Principal &who, const QDateTime &when)
{
    QString name = who.name;
    name.remove(QRegularExpression(QStringLiteral("[<>\\r\\n]")));
    QString local = name;
    local.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return {name, local + QStringLiteral("@digitdesk.invalid"), when};
}

} // namespace

DatasetService::DatasetService(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

void DatasetService::recoverOnce() const
{
    if (m_recovered) {
        return;
    }
    storage::DatasetGit git = datasetrecords::openGit(m_root);
    recoverUnrecordedVersions(m_db, git);
    m_recovered = true;
}

DatasetVersion DatasetService::commit(const Principal &who, const QString &message,
                                      const Progress &progress, const std::atomic<bool> *cancel)
{
    const auto stopIfCancelled = [cancel] {
        if (cancel && cancel->load()) {
            throw DatasetWorkCancelled("the commit was cancelled: no version was made");
        }
    };
    const Progress checkedProgress = [&](qint64 done, qint64 total) {
        if (progress) {
            progress(done, total);
        }
        stopIfCancelled();
    };
    m_access.require(who, Action::CommitDataset);
    if (message.trimmed().isEmpty()) {
        throw InvalidRequest(QStringLiteral("a dataset version needs a message: what changed"));
    }
    recoverOnce();
    storage::DatasetGit git = datasetrecords::openGit(m_root);
    storage::DatasetVersionRepository repository(m_db);
    for (int attempt = 0; attempt < MaxCommitAttempts; ++attempt) {
        const auto base = repository.newestOwn();
        const QString baseTag = base ? base->tag : QString();
        const QString baseCommit = base ? base->commitId : QString();
        const QString tag = QStringLiteral("v%1").arg(base ? base->number + 1 : 1);
        const VersionChanges built =
            DatasetVersionBuilder(m_db, git).build(tag, baseTag, baseCommit, checkedProgress);
        // The last point to stop: past it, the commit is written and published in moments.
        stopIfCancelled();
        const storage::GitSignature signature = signatureOf(who, QDateTime::currentDateTimeUtc());
        const QString commitId = git.writeCommit(baseCommit, built.changes, message, signature);

        // Publishing and recording happen under the database's write lock: a commit in another
        // process waits here, and a recovery never sees a tag whose row is about to come.
        std::optional<storage::Transaction> transaction;
        try {
            transaction.emplace(m_db);
        } catch (const storage::StorageError &error) {
            throw InvalidRequest(QStringLiteral("another process kept the workspace locked, so %1 "
                                                "was not published; nothing changed (%2)")
                                     .arg(tag, error.message()));
        }
        recoverUnrecordedVersionsLocked(m_db, git);
        const auto latest = repository.newestOwn();
        if ((latest ? latest->commitId : QString()) != baseCommit) {
            continue; // another process made a version meanwhile: build on it
        }
        git.publish(commitId, baseCommit, tag, message, signature);
        storage::DatasetVersionRecord record;
        record.tag = tag;
        record.number = base ? base->number + 1 : 1;
        record.commitId = commitId;
        record.author = who.name;
        record.recordedBy = who.actorRef();
        record.createdAt = signature.when;
        record.message = message;
        record.imageCount = built.manifest.imageCount;
        record.histogram = built.manifest.histogram;
        record.parentTag = baseTag;
        try {
            repository.insert(record);
            m_access.audit(who, Action::CommitDataset, tag,
                           QStringLiteral("commit %1: %2 images, %3 new, %4 removed")
                               .arg(commitId)
                               .arg(record.imageCount)
                               .arg(built.imagesAdded)
                               .arg(built.imagesRemoved));
            transaction->commit();
        } catch (...) {
            try {
                git.unpublish(tag, baseCommit);
            } catch (const storage::StorageError &) {
                // The next open takes the unrecorded tag back; the first error is the news.
            }
            throw;
        }
        return datasetrecords::toVersion(record);
    }
    throw InvalidRequest(QStringLiteral("other processes kept committing dataset versions "
                                        "meanwhile; nothing was committed, try again"));
}

std::vector<DatasetVersion> DatasetService::versions(const Principal &who) const
{
    m_access.require(who, Action::ViewDatasets);
    recoverOnce();
    std::vector<DatasetVersion> versions;
    for (const storage::DatasetVersionRecord &record :
         storage::DatasetVersionRepository(m_db).list()) {
        versions.push_back(datasetrecords::toVersion(record));
    }
    return versions;
}

DatasetVersion DatasetService::version(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return datasetrecords::toVersion(datasetrecords::findRecord(m_db, tag));
}

std::vector<DatasetRow> DatasetService::rows(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return datasetrecords::readRows(datasetrecords::openGit(m_root), tag,
                                    datasetrecords::findRecord(m_db, tag).commitId);
}

QByteArray DatasetService::pixels(const Principal &who, const QString &tag,
                                  const QString &sha256) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    if (!datasetfiles::isSha256(sha256)) {
        throw InvalidRequest(QStringLiteral("'%1' is not an image's SHA-256").arg(sha256));
    }
    const QString path = datasetfiles::imagePath(sha256);
    QString error;
    QByteArray pixels = decodeDatasetPng(datasetrecords::openGit(m_root).readFile(
                                             datasetrecords::findRecord(m_db, tag).commitId, path),
                                         &error);
    if (pixels.isEmpty()) {
        throw InvalidRequest(QStringLiteral("%1: %2: %3").arg(tag, path, error));
    }
    return pixels;
}

DatasetDiff DatasetService::diff(const Principal &who, const QString &fromTag,
                                 const QString &toTag) const
{
    m_access.require(who, Action::ViewDatasets, fromTag + QStringLiteral("..") + toTag);
    recoverOnce();
    const storage::DatasetGit git = datasetrecords::openGit(m_root);
    const std::vector<DatasetRow> before =
        datasetrecords::readRows(git, fromTag, datasetrecords::findRecord(m_db, fromTag).commitId);
    const std::vector<DatasetRow> after =
        datasetrecords::readRows(git, toTag, datasetrecords::findRecord(m_db, toTag).commitId);
    return diffRows(before, after, fromTag, toTag);
}

QStringList DatasetService::verify(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    QStringList problems;
    try {
        recoverOnce();
    } catch (const std::exception &error) {
        // A damaged repository is what verify is for: say so, and look at every version.
        problems << QStringLiteral("dataset.git: cannot compare its tags with the recorded "
                                   "versions: %1")
                        .arg(QString::fromUtf8(error.what()));
    }
    const storage::DatasetGit git = datasetrecords::openGit(m_root);
    std::vector<storage::DatasetVersionRecord> records;
    if (tag.isEmpty()) {
        records = storage::DatasetVersionRepository(m_db).list();
    } else {
        records.push_back(datasetrecords::findRecord(m_db, tag));
    }
    for (const storage::DatasetVersionRecord &record : records) {
        problems += verifyDatasetVersion(git, record.tag, record.commitId);
    }
    return problems;
}

DatasetExport DatasetService::exportVersion(const Principal &who, const QString &tag,
                                            ExportFormat format, const QString &folder,
                                            const Progress &progress,
                                            const std::atomic<bool> *cancel) const
{
    m_access.require(who, Action::ManageDatasets, tag);
    recoverOnce();
    const storage::DatasetVersionRecord record = datasetrecords::findRecord(m_db, tag);
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("%1 is not empty: export into a new or empty folder").arg(folder));
    }
    // The outermost folder this export makes (parents included): a cancel takes it back.
    QString outermostCreated;
    for (QString path = QDir(folder).absolutePath(); !QFileInfo::exists(path);
         path = QFileInfo(path).path()) {
        outermostCreated = path;
    }
    if (!QDir().mkpath(folder)) {
        throw InvalidRequest(QStringLiteral("cannot create folder %1").arg(folder));
    }
    DatasetExporter exporter =
        datasetrecords::exporterOf(datasetrecords::openGit(m_root), tag, record.commitId);
    exporter.watch(progress, cancel);
    DatasetExport result;
    QString formatName;
    try {
        switch (format) {
        case ExportFormat::ImageFolder:
            result = exporter.imageFolder(folder);
            formatName = QStringLiteral("imagefolder");
            break;
        case ExportFormat::Idx:
            result = exporter.idx(folder);
            formatName = QStringLiteral("idx");
            break;
        case ExportFormat::Csv:
            result = exporter.csv(dir.filePath(
                QString(tag).replace(QLatin1Char('/'), QLatin1Char('-')) + QStringLiteral(".csv")));
            formatName = QStringLiteral("csv");
            break;
        }
    } catch (const DatasetWorkCancelled &) {
        // The folder was empty or missing: everything in it now is this export's.
        QDir written(folder);
        if (!outermostCreated.isEmpty()) {
            QDir(outermostCreated).removeRecursively();
        } else {
            for (const QFileInfo &entry : written.entryInfoList(
                     QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
                if (entry.isDir() && !entry.isSymLink()) {
                    QDir(entry.filePath()).removeRecursively();
                } else {
                    written.remove(entry.fileName());
                }
            }
        }
        throw;
    }
    m_access.audit(who, Action::ManageDatasets, tag,
                   QStringLiteral("exported as %1 to %2: %3 images, %4 skipped")
                       .arg(formatName, dir.absolutePath())
                       .arg(result.images)
                       .arg(result.skipped));
    return result;
}

} // namespace digitdesk::annotation
