#pragma once

#include <QString>

namespace digitdesk::storage::detail {

// `WITH approved AS MATERIALIZED (...)`: the approved images (bound as :approved) with `columns`
// of images and imported_at, plus label_id (the standing label: the newest one not retracted
// and not a gold check) and review_id (that label's newest review that is not a rejection, or
// NULL). Each id is a scalar subquery per image, through the labels_image and reviews_label
// indexes. MATERIALIZED (both engines know it) keeps PostgreSQL from pulling the ids up into a
// join condition (`l.id = (SELECT MAX ...)`), which it evaluated for every pair of an image and
// a label: half a minute for a few thousand images.
inline QString approvedImagesWithStandingLabel(const QString &columns)
{
    const QString selected = columns.isEmpty() ? QString() : columns + QStringLiteral(", ");
    return QStringLiteral(
               "WITH approved AS MATERIALIZED (SELECT a.*, (SELECT MAX(v.id) FROM reviews v"
               " WHERE v.label_id = a.label_id AND v.verdict <> 'rejected') AS review_id FROM"
               " (SELECT %1i.imported_at, (SELECT MAX(s.id) FROM labels s WHERE s.image_id ="
               " i.id AND s.retracted_at IS NULL AND s.gold_check = 0) AS label_id FROM images i"
               " WHERE i.status = :approved) a WHERE a.label_id IS NOT NULL) ")
        .arg(selected);
}

} // namespace digitdesk::storage::detail
