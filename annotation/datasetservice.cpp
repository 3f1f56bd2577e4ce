#include "annotation/datasetservice.h"

#include "annotation/private/datasetdiff.h"
#include "annotation/private/datasetexporter.h"
#include "annotation/private/datasetfiles.h"
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
#include <QRegularExpression>

#include <algorithm>
#include <optional>

namespace digitdesk::annotation {
namespace {

// A commit that finds another process's new version when it comes to publish builds again on
// that one; this many times at most.
constexpr int MaxCommitAttempts = 3;

storage::DatasetGit openGit(const QString &root)
{
    return storage::DatasetGit(QDir(root).filePath(QStringLiteral("dataset.git")), true);
}

DatasetVersion toVersion(const storage::DatasetVersionRecord &record)
{
    DatasetVersion version;
    version.tag = record.tag;
    version.number = record.number;
    version.commitId = record.commitId;
    version.author = record.author;
    version.createdAt = record.createdAt;
    version.message = record.message;
    version.imageCount = record.imageCount;
    version.histogram = record.histogram;
    version.parentTag = record.parentTag;
    version.origin = record.origin;
    return version;
}

storage::DatasetVersionRecord findRecord(const QSqlDatabase &db, const QString &tag)
{
    const auto record = storage::DatasetVersionRepository(db).find(tag);
    if (!record) {
        throw InvalidRequest(QStringLiteral("there is no dataset version '%1'").arg(tag));
    }
    return *record;
}

std::vector<DatasetRow> readRows(const storage::DatasetGit &git, const QString &tag,
                                 const QString &commit)
{
    return datasetfiles::parseLabels(git.readFile(commit, datasetfiles::LabelsPath),
                                     QStringLiteral("%1: %2").arg(tag, datasetfiles::LabelsPath));
}

// Git identities may not hold angle brackets or line breaks.
storage::GitSignature signatureOf(const Principal &who, const QDateTime &when)
{
    QString name = who.name;
    name.remove(QRegularExpression(QStringLiteral("[<>\\r\\n]")));
    QString local = name;
    local.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return {name, local + QStringLiteral("@digitdesk.invalid"), when};
}

bool isRemoteName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return pattern.match(name).hasMatch() && ownVersionNumber(name) == 0;
}

// A version's exporter with all its images read in one walk of the tree (one by one, each
// costs a lookup: 31 s against 2 s at 60,000 images).
DatasetExporter exporterOf(storage::DatasetGit opened, const QString &tag, const QString &commitId)
{
    const auto git = std::make_shared<const storage::DatasetGit>(std::move(opened));
    const auto images = std::make_shared<const QHash<QString, QByteArray>>(
        git->readFiles(commitId, QStringLiteral("images/")));
    return DatasetExporter(
        readRows(*git, tag, commitId),
        [git, images, commitId](const DatasetRow &row) {
            const QString path = datasetfiles::imagePath(row.sha256);
            const auto found = images->constFind(path);
            return found != images->cend() ? found.value() : git->readFile(commitId, path);
        },
        tag);
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
    storage::DatasetGit git = openGit(m_root);
    recoverUnrecordedVersions(m_db, git);
    m_recovered = true;
}

DatasetVersion DatasetService::commit(const Principal &who, const QString &message,
                                      const Progress &progress)
{
    m_access.require(who, Action::CommitDataset);
    if (message.trimmed().isEmpty()) {
        throw InvalidRequest(QStringLiteral("a dataset version needs a message: what changed"));
    }
    recoverOnce();
    storage::DatasetGit git = openGit(m_root);
    storage::DatasetVersionRepository repository(m_db);
    for (int attempt = 0; attempt < MaxCommitAttempts; ++attempt) {
        const auto base = repository.newestOwn();
        const QString baseTag = base ? base->tag : QString();
        const QString baseCommit = base ? base->commitId : QString();
        const QString tag = QStringLiteral("v%1").arg(base ? base->number + 1 : 1);
        const VersionChanges built =
            DatasetVersionBuilder(m_db, git).build(tag, baseTag, baseCommit, progress);
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
        return toVersion(record);
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
        versions.push_back(toVersion(record));
    }
    return versions;
}

DatasetVersion DatasetService::version(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return toVersion(findRecord(m_db, tag));
}

std::vector<DatasetRow> DatasetService::rows(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return readRows(openGit(m_root), tag, findRecord(m_db, tag).commitId);
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
    QByteArray pixels =
        decodeDatasetPng(openGit(m_root).readFile(findRecord(m_db, tag).commitId, path), &error);
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
    const storage::DatasetGit git = openGit(m_root);
    const std::vector<DatasetRow> before =
        readRows(git, fromTag, findRecord(m_db, fromTag).commitId);
    const std::vector<DatasetRow> after = readRows(git, toTag, findRecord(m_db, toTag).commitId);
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
    const storage::DatasetGit git = openGit(m_root);
    std::vector<storage::DatasetVersionRecord> records;
    if (tag.isEmpty()) {
        records = storage::DatasetVersionRepository(m_db).list();
    } else {
        records.push_back(findRecord(m_db, tag));
    }
    for (const storage::DatasetVersionRecord &record : records) {
        problems += verifyDatasetVersion(git, record.tag, record.commitId);
    }
    return problems;
}

DatasetExport DatasetService::exportVersion(const Principal &who, const QString &tag,
                                            ExportFormat format, const QString &folder) const
{
    m_access.require(who, Action::ManageDatasets, tag);
    recoverOnce();
    const storage::DatasetVersionRecord record = findRecord(m_db, tag);
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("%1 is not empty: export into a new or empty folder").arg(folder));
    }
    if (!QDir().mkpath(folder)) {
        throw InvalidRequest(QStringLiteral("cannot create folder %1").arg(folder));
    }
    const DatasetExporter exporter = exporterOf(openGit(m_root), tag, record.commitId);
    DatasetExport result;
    QString formatName;
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
    m_access.audit(who, Action::ManageDatasets, tag,
                   QStringLiteral("exported as %1 to %2: %3 images, %4 skipped")
                       .arg(formatName, dir.absolutePath())
                       .arg(result.images)
                       .arg(result.skipped));
    return result;
}

void DatasetService::push(const Principal &who, const QString &remote, bool withTags)
{
    m_access.require(who, Action::ManageDatasets, remote);
    recoverOnce();
    openGit(m_root).push(remote, withTags);
    m_access.audit(who, Action::ManageDatasets, remote,
                   withTags ? QStringLiteral("pushed main and the version tags")
                            : QStringLiteral("pushed main"));
}

std::vector<DatasetVersion> DatasetService::pull(const Principal &who, const QString &remote,
                                                 const QString &name)
{
    m_access.require(who, Action::ManageDatasets, remote);
    if (!isRemoteName(name)) {
        throw InvalidRequest(QStringLiteral("'%1' cannot name a remote: use letters, digits, '.', "
                                            "'_' and '-', and not the shape of a tag (v3)")
                                 .arg(name));
    }
    recoverOnce();
    storage::DatasetGit git = openGit(m_root);
    const std::vector<storage::GitTag> fetched = git.fetch(remote, name);
    storage::DatasetVersionRepository repository(m_db);
    std::vector<DatasetVersion> versions;
    std::vector<storage::DatasetVersionRecord> records;
    for (const storage::GitTag &tag : fetched) {
        const int number = ownVersionNumber(tag.name.section(QLatin1Char('/'), 1));
        if (!tag.name.startsWith(name + QLatin1Char('/')) || number == 0) {
            continue;
        }
        if (const auto known = repository.find(tag.name)) {
            versions.push_back(toVersion(*known));
            continue;
        }
        // The counts come from the files themselves, not from what the remote says of them.
        const std::vector<DatasetRow> rows = readRows(git, tag.name, tag.commitId);
        const datasetfiles::Manifest manifest = datasetfiles::parseManifest(
            git.readFile(tag.commitId, datasetfiles::ManifestPath),
            QStringLiteral("%1: %2").arg(tag.name, datasetfiles::ManifestPath));
        const storage::GitSignature author = git.commitAuthor(tag.commitId);
        storage::DatasetVersionRecord record;
        record.tag = tag.name;
        record.number = number;
        record.commitId = tag.commitId;
        record.author = author.name;
        record.recordedBy = who.actorRef();
        record.createdAt = author.when;
        record.message = git.commitMessage(tag.commitId).trimmed();
        record.imageCount = static_cast<int>(rows.size());
        record.histogram = datasetfiles::histogramOf(rows);
        record.parentTag =
            manifest.parentTag.isEmpty() ? QString() : name + QLatin1Char('/') + manifest.parentTag;
        record.origin = name;
        records.push_back(record);
        versions.push_back(toVersion(record));
    }
    storage::Transaction transaction(m_db);
    for (const storage::DatasetVersionRecord &record : records) {
        if (!repository.find(record.tag)) { // a pull in another process may have been first
            repository.insert(record);
        }
    }
    m_access.audit(who, Action::ManageDatasets, remote,
                   QStringLiteral("pulled %1 version(s) as %2/, %3 new")
                       .arg(versions.size())
                       .arg(name)
                       .arg(records.size()));
    transaction.commit();
    std::sort(versions.begin(), versions.end(),
              [](const auto &a, const auto &b) { return a.number > b.number; });
    return versions;
}

int DatasetService::importVersion(const Principal &who, const QString &tag)
{
    m_access.require(who, Action::ManageDatasets, tag);
    // Bringing labels in as approved is a reviewer's decision too, as for any import.
    m_access.require(who, Action::Review, tag);
    recoverOnce();
    const storage::DatasetVersionRecord record = findRecord(m_db, tag);
    const storage::DatasetGit git = openGit(m_root);
    return importDatasetRows(m_db, git, record.tag, record.commitId,
                             readRows(git, tag, record.commitId), who, m_access);
}

std::vector<qint64> DatasetService::modelsTrainedOn(const Principal &who, const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    return storage::DatasetVersionRepository(m_db).modelsTrainedOn(findRecord(m_db, tag).commitId);
}

ModelLineage DatasetService::lineage(const Principal &who, qint64 modelId) const
{
    m_access.require(who, Action::ViewDatasets, QStringLiteral("model:%1").arg(modelId));
    recoverOnce();
    const auto model = storage::ModelRepository(m_db).findModel(modelId);
    if (!model) {
        throw InvalidRequest(QStringLiteral("there is no model %1").arg(modelId));
    }
    if (model->datasetCommit.isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("model %1 was not trained on a dataset version").arg(modelId));
    }
    // The workspace's own version first, should a pulled one name the same commit.
    std::vector<storage::DatasetVersionRecord> records =
        storage::DatasetVersionRepository(m_db).list();
    std::stable_sort(records.begin(), records.end(), [](const auto &a, const auto &b) {
        return a.origin.isEmpty() && !b.origin.isEmpty();
    });
    for (const storage::DatasetVersionRecord &record : records) {
        if (record.commitId == model->datasetCommit) {
            return {modelId, toVersion(record),
                    readRows(openGit(m_root), record.tag, record.commitId)};
        }
    }
    throw InvalidRequest(QStringLiteral("model %1 was trained on commit %2, which is no dataset "
                                        "version of this workspace")
                             .arg(modelId)
                             .arg(model->datasetCommit));
}

std::pair<QString, QString> DatasetService::trainingFiles(const Principal &who, const QString &tag,
                                                          const QString &folder) const
{
    m_access.require(who, Action::TrainModel, tag);
    return versionFiles(who, tag, folder);
}

std::pair<QString, QString> DatasetService::versionFiles(const Principal &who, const QString &tag,
                                                         const QString &folder) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    recoverOnce();
    const storage::DatasetVersionRecord record = findRecord(m_db, tag);
    if (!QDir().mkpath(folder)) {
        throw InvalidRequest(QStringLiteral("cannot create folder %1").arg(folder));
    }
    const DatasetExporter exporter = exporterOf(openGit(m_root), tag, record.commitId);
    const DatasetExport written = exporter.idx(folder);
    return {written.files.value(0), written.files.value(1)};
}

} // namespace digitdesk::annotation
