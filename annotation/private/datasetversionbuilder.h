#pragma once

#include "annotation/datasetservice.h"
#include "annotation/private/datasetfiles.h"
#include "storage/datasetgit.h"

#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::annotation {

// What the next version's commit changes in its parent's tree.
struct VersionChanges
{
    datasetfiles::Manifest manifest;
    std::vector<storage::TreeChange> changes;
    int imagesAdded = 0;
    int imagesRemoved = 0;
};

// Builds the next version from the approved images: labels.csv and dataset.json in full, and,
// against the parent's labels.csv, only the images that are new (encoded here) or gone (removed
// from the tree). Unchanged images are neither read, encoded nor written.
class DatasetVersionBuilder final
{
public:
    DatasetVersionBuilder(const QSqlDatabase &db, const storage::DatasetGit &git);

    // `parentTag`/`parentCommit` are empty for a first version. Throws InvalidRequest when
    // nothing is approved, or nothing changed since the parent.
    VersionChanges build(const QString &tag, const QString &parentTag, const QString &parentCommit,
                         const DatasetService::Progress &progress) const;

private:
    std::vector<storage::TreeChange> encodeImages(const std::vector<qint64> &imageIds,
                                                  const std::vector<QString> &sha256s,
                                                  const DatasetService::Progress &progress) const;

    QSqlDatabase m_db;
    const storage::DatasetGit &m_git;
};

} // namespace digitdesk::annotation
