#include "annotation/private/datasetrecovery.h"

#include "storage/datasetversionrepository.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

struct Disagreement
{
    QStringList unrecordedTags; // newest first
    QString newestCommit;       // the newest recorded version's, empty when none
    int newestNumber = 0;
    bool headAhead = false; // main is not at the newest recorded version
};

Disagreement compare(const QSqlDatabase &db, const storage::DatasetGit &git)
{
    Disagreement result;
    QSet<QString> recorded;
    for (const storage::DatasetVersionRecord &version :
         storage::DatasetVersionRepository(db).list()) {
        if (!version.origin.isEmpty()) {
            continue;
        }
        recorded.insert(version.tag);
        if (version.number > result.newestNumber) {
            result.newestNumber = version.number;
            result.newestCommit = version.commitId;
        }
    }
    std::vector<std::pair<int, QString>> unrecorded;
    for (const storage::GitTag &tag : git.tags()) {
        const int number = ownVersionNumber(tag.name);
        if (number > 0 && !recorded.contains(tag.name)) {
            unrecorded.emplace_back(number, tag.name);
        }
    }
    std::sort(unrecorded.begin(), unrecorded.end(), std::greater<>());
    for (const auto &[number, name] : unrecorded) {
        result.unrecordedTags << name;
    }
    result.headAhead = git.head() != result.newestCommit;
    return result;
}

} // namespace

int ownVersionNumber(const QString &tag)
{
    if (tag.size() < 2 || tag[0] != QLatin1Char('v') || tag[1] == QLatin1Char('0')) {
        return 0;
    }
    bool ok = false;
    const int number = tag.mid(1).toInt(&ok);
    return ok && QStringLiteral("v%1").arg(number) == tag ? number : 0;
}

QStringList recoverUnrecordedVersionsLocked(const QSqlDatabase &db, storage::DatasetGit &git)
{
    // A writer killed while moving a reference leaves its lock file; under the workspace's
    // write lock no live writer can own one.
    git.removeStaleLocks();
    const Disagreement found = compare(db, git);
    for (const QString &tag : found.unrecordedTags) {
        git.unpublish(tag, found.newestCommit);
    }
    if (found.unrecordedTags.isEmpty() && found.headAhead) {
        // main moved without a tag (a recovery killed half-way): unpublish moves it back. When
        // it cannot, the next commit's publish refuses to move main from where it is not, and
        // says so; reading versions goes on meanwhile.
        try {
            git.unpublish(QStringLiteral("v%1").arg(found.newestNumber + 1), found.newestCommit);
        } catch (const storage::StorageError &) {
        }
    }
    return found.unrecordedTags;
}

QStringList recoverUnrecordedVersions(const QSqlDatabase &db, storage::DatasetGit &git)
{
    const Disagreement found = compare(db, git);
    const QDir repository(git.path());
    const bool staleLocks = QFileInfo::exists(repository.filePath(QStringLiteral("HEAD.lock"))) ||
                            !QDir(repository.filePath(QStringLiteral("refs/heads")))
                                 .entryList({QStringLiteral("*.lock")}, QDir::Files)
                                 .isEmpty() ||
                            !QDir(repository.filePath(QStringLiteral("refs/tags")))
                                 .entryList({QStringLiteral("*.lock")}, QDir::Files)
                                 .isEmpty();
    if (found.unrecordedTags.isEmpty() && !found.headAhead && !staleLocks) {
        return {};
    }
    // Another process may be between publishing and recording: its transaction holds the
    // write lock until the row is in, so wait for it and look again.
    storage::Transaction transaction(db);
    QStringList recovered = recoverUnrecordedVersionsLocked(db, git);
    transaction.commit();
    return recovered;
}

} // namespace digitdesk::annotation
