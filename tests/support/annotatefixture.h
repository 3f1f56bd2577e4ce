#pragma once

// What the annotate view's suites (tst_annotateview, tst_annotatekeys, tst_annotatehistory,
// tst_annotateergonomics) read back from the database, and a rejection to show.
#include "annotation/annotationservice.h"
#include "annotation/reviewservice.h"
#include "storage/label.h"
#include "storage/labelrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::testing {

inline qint64 scalar(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

// The image's standing label as labels.csv writes it ("0"-"9", "x"); "none" when it has none.
inline QString standingLabel(const QSqlDatabase &db, qint64 image)
{
    const auto labels = storage::LabelRepository(db).activeLabels(image);
    return labels.empty() ? QStringLiteral("none") : labels.front().label.text();
}

// A new image, labelled 3 by bob and rejected by rui with `comment`: the annotator who opens
// the view next is told about it. Returns the image's id.
inline qint64 addRejectedLabel(const storage::Workspace &workspace, const QString &comment)
{
    addPredictedImages(workspace, {0.5});
    const auto bob = addUser(workspace, QStringLiteral("bob"), annotation::Role::Annotator);
    const auto rui = addUser(workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    annotation::AnnotationService queue(workspace.db());
    const auto item = queue.next(bob);
    queue.label(bob, item->imageId, storage::Label::fromDigit(3), 100);
    annotation::ReviewService(workspace.db()).reject(rui, item->imageId, comment);
    return item->imageId;
}

} // namespace digitdesk::testing
