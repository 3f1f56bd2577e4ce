// DatasetService: sharing versions through git remotes (push, pull, import).
#include "annotation/datasetservice.h"

#include "annotation/private/datasetfiles.h"
#include "annotation/private/datasetrecords.h"
#include "annotation/private/datasetrecovery.h"
#include "annotation/private/datasetrowimporter.h"
#include "annotation/userservice.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

bool isRemoteName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return pattern.match(name).hasMatch() && ownVersionNumber(name) == 0;
}

// A remote's version tag as fetched: "vN", or "vN-<hex>" where the remote held another
// workspace's vN when this one was pushed. Returns N; 0 for anything else.
int remoteVersionNumber(const QString &tag)
{
    static const QRegularExpression qualified(QStringLiteral("^(v[0-9]+)-[0-9a-f]{8}$"));
    const QRegularExpressionMatch match = qualified.match(tag);
    return ownVersionNumber(match.hasMatch() ? match.captured(1) : tag);
}

// Who joins histories: the person, as git allows a name to be written.
storage::GitSignature joinerOf(const Principal &who)
{
    QString name = who.name;
    name.remove(QRegularExpression(QStringLiteral("[<>\\r\\n]")));
    return {name, QStringLiteral("digitdesk@digitdesk.invalid"), QDateTime::currentDateTimeUtc()};
}

} // namespace

DatasetPush DatasetService::push(const Principal &who, const QString &remote, bool withTags)
{
    m_access.require(who, Action::ManageDatasets, remote);
    recoverOnce();
    const storage::PushedVersions pushed =
        datasetrecords::openGit(m_root).push(remote, withTags, joinerOf(who));
    QStringList tags;
    for (const auto &[tag, remoteTag] : pushed.tags) {
        tags << (tag == remoteTag ? tag : QStringLiteral("%1 as %2").arg(tag, remoteTag));
    }
    m_access.audit(
        who, Action::ManageDatasets, remote,
        QStringLiteral("pushed main %1, tags: %2")
            .arg(pushed.mainCommit.isEmpty() ? QStringLiteral("(unchanged)") : pushed.mainCommit,
                 tags.isEmpty() ? QStringLiteral("none") : tags.join(u", ")));
    return {pushed.mainCommit, pushed.tags};
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
    storage::DatasetGit git = datasetrecords::openGit(m_root);
    const std::vector<storage::GitTag> fetched = git.fetch(remote, name);
    const QString joined = git.joinFetched(name, joinerOf(who));
    QHash<QString, QString> tagOfCommit; // the remote's name for each of its versions
    for (const storage::GitTag &tag : fetched) {
        tagOfCommit.insert(tag.commitId, tag.name);
    }
    storage::DatasetVersionRepository repository(m_db);
    std::vector<DatasetVersion> versions;
    std::vector<storage::DatasetVersionRecord> records;
    for (const storage::GitTag &tag : fetched) {
        const int number = remoteVersionNumber(tag.name.section(QLatin1Char('/'), 1));
        if (!tag.name.startsWith(name + QLatin1Char('/')) || number == 0) {
            continue;
        }
        if (const auto known = repository.find(tag.name)) {
            versions.push_back(datasetrecords::toVersion(*known));
            continue;
        }
        // The counts come from the files themselves, not from what the remote says of them.
        const std::vector<DatasetRow> rows = datasetrecords::readRows(git, tag.name, tag.commitId);
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
        // The parent by its commit: its tag here may be another workspace's name for it.
        record.parentTag = manifest.parentTag.isEmpty()
                               ? QString()
                               : tagOfCommit.value(manifest.parentCommit,
                                                   name + QLatin1Char('/') + manifest.parentTag);
        record.origin = name;
        records.push_back(record);
        versions.push_back(datasetrecords::toVersion(record));
    }
    storage::Transaction transaction(m_db);
    for (const storage::DatasetVersionRecord &record : records) {
        if (!repository.find(record.tag)) { // a pull in another process may have been first
            repository.insert(record);
        }
    }
    m_access.audit(who, Action::ManageDatasets, remote,
                   QStringLiteral("pulled %1 version(s) as %2/, %3 new; shared history at %4")
                       .arg(versions.size())
                       .arg(name)
                       .arg(records.size())
                       .arg(joined.isEmpty() ? QStringLiteral("none") : joined));
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
    const storage::DatasetVersionRecord record = datasetrecords::findRecord(m_db, tag);
    const storage::DatasetGit git = datasetrecords::openGit(m_root);
    return importDatasetRows(m_db, git, record.tag, record.commitId,
                             datasetrecords::readRows(git, tag, record.commitId), who, m_access);
}

} // namespace digitdesk::annotation
