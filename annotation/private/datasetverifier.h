#pragma once

#include "storage/datasetgit.h"

#include <QString>
#include <QStringList>

namespace digitdesk::annotation {

// Everything wrong with one version, each problem naming the version and the path: its tag
// missing or moved from the recorded commit, objects git cannot read or whose content does not
// match their id, a labels.csv or dataset.json that does not parse or does not agree, an image
// missing, undecodable or whose pixels do not hash to its name, an image that no row lists.
QStringList verifyDatasetVersion(const storage::DatasetGit &git, const QString &tag,
                                 const QString &recordedCommit);

} // namespace digitdesk::annotation
