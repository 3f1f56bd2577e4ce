#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"
#include "ui/mainwindow.h"
#include "ui/reviewview.h"

#include <QLabel>
#include <QListWidget>
#include <QTest>

using namespace digitdesk;

class tst_ReviewView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reviewerApprovesCorrectsRejectsWithKeys();
};

void tst_ReviewView::reviewerApprovesCorrectsRejectsWithKeys()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.3, 0.4, 0.5, 0.6, 0.7});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    testing::addUser(*temp.workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    const auto rui =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("rui"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    annotation::AnnotationService annotation(temp.workspace->db());
    std::vector<qint64> byAna;
    for (int i = 0; i < 4; ++i) {
        const auto item = annotation.next(ana);
        // Ana agrees with the model on the first two only: the others come first in review.
        annotation.label(ana, item->imageId,
                         i < 2 ? item->predictedLabel : (item->predictedLabel + 1) % 10, 500);
        byAna.push_back(item->imageId);
    }
    const auto own = annotation.next(rui); // a reviewer labels too
    annotation.label(rui, own->imageId, 3, 500);

    ui::MainWindow window(*temp.workspace, rui);
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QCOMPARE(nav->count(), 2); // Annotate and Review
    window.show();
    QVERIFY(window.showView(QStringLiteral("Review")));
    ui::ReviewView *view = window.reviewView();
    QTRY_VERIFY(view->currentImageId() > 0);
    // Disagreements first.
    QCOMPARE(view->currentImageId(), byAna[2]);
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("labels"))
                ->text()
                .contains(QStringLiteral("model says")));
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("history"))
                ->text()
                .contains(QStringLiteral("ana labelled")));
    QTest::keyClick(view, Qt::Key_7); // correct and approve
    QCOMPARE(view->currentImageId(), byAna[3]);
    view->setCommentProvider([] { return std::optional<QString>(QStringLiteral("look again")); });
    QTest::keyClick(view, Qt::Key_R); // reject
    QCOMPARE(view->currentImageId(), byAna[0]);
    QTest::keyClick(view, Qt::Key_Return);
    QTest::keyClick(view, Qt::Key_A);
    // Rui's own label is never offered.
    QCOMPARE(view->currentImageId(), 0);
    // The figures reviewers judge annotators by: 4 of ana's labels reviewed, 2 approved as they
    // were.
    const QString figures = view->findChild<QLabel *>(QStringLiteral("figures"))->text();
    QVERIFY2(figures.contains(QStringLiteral("<td>ana</td><td align='right'>3</td><td "
                                             "align='right'>4</td><td align='right'>50.0%</td>")),
             qPrintable(figures));

    storage::ImageRepository images(temp.workspace->db());
    QCOMPARE(storage::toString(images.details(byAna[2])->status), QStringLiteral("approved"));
    QCOMPARE(images.details(byAna[2])->label, 7);
    QCOMPARE(storage::toString(images.details(byAna[3])->status), QStringLiteral("incoming"));
    QCOMPARE(storage::toString(images.details(byAna[0])->status), QStringLiteral("approved"));
    QCOMPARE(storage::toString(images.details(byAna[1])->status), QStringLiteral("approved"));
    QCOMPARE(storage::toString(images.details(own->imageId)->status), QStringLiteral("labelled"));
    storage::SqlQuery reviews(
        temp.workspace->db(),
        QStringLiteral("SELECT verdict, reviewer, session_id, comment FROM reviews ORDER BY id"),
        QStringLiteral("read reviews"));
    reviews.exec();
    QStringList verdicts;
    while (reviews.next()) {
        verdicts << reviews.value(0).toString();
        QCOMPARE(reviews.value(1).toString(), QStringLiteral("rui"));
        QCOMPARE(reviews.value(2).toLongLong(), rui.sessionId);
    }
    QCOMPARE(verdicts, (QStringList{QStringLiteral("corrected"), QStringLiteral("rejected"),
                                    QStringLiteral("approved"), QStringLiteral("approved")}));
}

QTEST_MAIN(tst_ReviewView)
#include "tst_reviewview.moc"
