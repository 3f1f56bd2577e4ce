#include "annotation/private/datasetrecords.h"

#include "annotation/accesscontrol.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/userservice.h"

#include <QDir>
#include <QHash>

#include <memory>

namespace digitdesk::annotation::datasetrecords {

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

} // namespace digitdesk::annotation::datasetrecords
