#pragma once

#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "storage/imagerepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"

#include <vector>

namespace digitdesk::testing {

// Two annotators and a logged-in reviewer over `count` predicted images (image i is predicted
// i % 10, least confident first).
struct ReviewTeam
{
    explicit ReviewTeam(int count)
    {
        std::vector<double> confidences;
        for (int i = 0; i < count; ++i) {
            confidences.push_back(0.3 + 0.01 * i);
        }
        images = addPredictedImages(*temp.workspace, confidences);
        ana = addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
        bob = addUser(*temp.workspace, QStringLiteral("bob"), annotation::Role::Annotator);
        addUser(*temp.workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
        rui = annotation::AuthService(db())
                  .login(QStringLiteral("rui"), QStringLiteral("correct horse"),
                         QStringLiteral("gui"))
                  .principal;
    }
    QSqlDatabase db() const { return temp.workspace->db(); }
    void label(const annotation::Principal &who, size_t image, int label)
    {
        annotation::AnnotationService(db()).label(who, images[image],
                                                  storage::Label::fromDigit(label), 500);
    }
    void setOverlap(int overlap)
    {
        storage::SettingsRepository(db()).setValue(QStringLiteral("queue.overlap"),
                                                   QString::number(overlap));
    }
    // Runs a statement of the test's own (counting, or breaking the workspace on purpose).
    // Unprepared, so that DDL runs on PostgreSQL too (QPSQL prepares every SqlQuery).
    void exec(const QString &sql) const
    {
        storage::execStatement(db(), sql, QStringLiteral("test"));
    }
    qint64 count(const QString &sql) const
    {
        storage::SqlQuery query(db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    qint64 reviews(const QString &verdict) const
    {
        storage::SqlQuery query(db(),
                                QStringLiteral("SELECT COUNT(*) FROM reviews WHERE verdict = :v"),
                                QStringLiteral("count reviews"));
        query.bind(QStringLiteral(":v"), verdict);
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    // "approved -", "corrected 4", ...: the verdict on the image and the digit it was corrected to.
    QString verdict(qint64 imageId) const
    {
        storage::SqlQuery query(
            db(),
            QStringLiteral("SELECT r.verdict || ' ' || COALESCE(CAST("
                           "r.corrected_label AS TEXT), '-') FROM reviews r JOIN labels"
                           " l ON l.id = r.label_id WHERE l.image_id = :i"),
            QStringLiteral("read verdict"));
        query.bind(QStringLiteral(":i"), imageId);
        query.exec();
        return query.next() ? query.value(0).toString() : QString();
    }
    QString status(size_t image) const
    {
        return storage::toString(storage::ImageRepository(db()).details(images[image])->status);
    }

    TempWorkspace temp;
    std::vector<qint64> images;
    annotation::Principal ana;
    annotation::Principal bob;
    annotation::Principal rui;
};

} // namespace digitdesk::testing
