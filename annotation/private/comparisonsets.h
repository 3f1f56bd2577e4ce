#pragma once

#include "annotation/comparisonfigures.h"
#include "annotation/datasetservice.h"
#include "storage/datasetversionrepository.h"

#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::annotation {

// The images ModelComparison answers with both models, and what a model learnt from.
namespace comparisonsets {

// The held-out split of the version's training files, the very IDX pair `digitdesk train`
// reads, so the indices are the trainer's. Each image is named by the SHA-256 of its pixels,
// and by its id in `imageIds` (SHA-256 -> id) when the workspace holds it.
EvaluationSet heldOut(const DatasetService &datasets, const Principal &who, const QString &tag,
                      const QHash<QString, qint64> &imageIds);

// The approved digits that `versionRows` does not hold, oldest image first.
EvaluationSet approvedSince(const QSqlDatabase &db,
                            const std::vector<storage::ApprovedImage> &approved,
                            const std::vector<DatasetRow> &versionRows, const QString &tag);

// The SHA-256s of the images a model trained on a version with these rows learnt from: the
// training part of the split its hyperparameters (JSON) record, the trainer's defaults where
// they are silent.
QSet<QString> learntFrom(const std::vector<DatasetRow> &versionRows,
                         const QString &hyperparameters);

// How many images of `set` are in `learnt`.
int countIn(const EvaluationSet &set, const QSet<QString> &learnt);

} // namespace comparisonsets
} // namespace digitdesk::annotation
