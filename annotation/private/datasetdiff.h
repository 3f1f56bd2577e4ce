#pragma once

#include "annotation/datasetservice.h"

#include <QString>

#include <vector>

namespace digitdesk::annotation {

// Images added, deleted and relabelled from one labels.csv to another; both sorted by SHA-256,
// as labels.csv always is, so one merge pass finds them.
DatasetDiff diffRows(const std::vector<DatasetRow> &before, const std::vector<DatasetRow> &after,
                     const QString &fromTag, const QString &toTag);

} // namespace digitdesk::annotation
