#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/datasetservice.h"
#include "storage/datasetgit.h"

#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::annotation {

// Brings a version's rows into the workspace as approved images. Images it has already keep
// their own history. The annotator and reviewer stay as the names the version gives (a label's
// origin and a review's reviewer are text for people who are no user here), with the approval
// time of the version. Every image is checked against its name before anything is written.
// Returns how many images were new.
int importDatasetRows(const QSqlDatabase &db, const storage::DatasetGit &git, const QString &tag,
                      const QString &commitId, const std::vector<DatasetRow> &rows,
                      const Principal &who, const AccessControl &access);

} // namespace digitdesk::annotation
