#pragma once

#include "storage/imagestatus.h"
#include "storage/label.h"

#include <QString>
#include <QVariant>

// The one place where a Label or an ImageStatus meets SQL. On disk, "not a digit" is NULL in
// labels.label, gold_items.label, reviews.corrected_label and label_suspects' label columns;
// images.status is its text. Queries that must tell "not a digit" from "no row" read a label
// as its index (0-10) through indexOf().
namespace digitdesk::storage::labelsql {

QVariant toColumn(Label label);
QVariant toColumn(const MaybeLabel &label); // nullopt binds NULL as well: only for columns
                                            // whose NULL a second column explains
Label fromColumn(const QVariant &value);
// A label read through indexOf() or LatestLabel: NULL is no label, 10 "not a digit".
MaybeLabel fromIndexColumn(const QVariant &value);

// The SQL expression of a label column's index, 0-9 or 10 for "not a digit": equal labels
// compare equal and COUNT(DISTINCT ...) counts "not a digit" too.
QString indexOf(const QString &column);

// The newest standing label of image `i`, as corrected by its review if it was, as an index;
// NULL when the image has no standing label.
QString latestLabelIndex();

QVariant toColumn(ImageStatus status);
// Throws StorageError for a status this binary does not know.
ImageStatus statusFromColumn(const QVariant &value);

} // namespace digitdesk::storage::labelsql
