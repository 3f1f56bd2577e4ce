// The Datasets view's Checks tab driven offscreen with keys: the empty state, a check run as a
// child process with progress, Cancel, the suspects as thumbnails sent to review, and the mark a
// reviewer then sees in the Review view.

#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/reviewservice.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/transaction.h"
#include "tests/support/testdata.h"
#include "ui/datacheckprocess.h"
#include "ui/datasetcheckspane.h"
#include "ui/datasetsview.h"
#include "ui/reviewview.h"
#include "ui/suspectlistmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>

#include <map>

using namespace digitdesk;
using annotation::Role;

namespace {

// 300 MNIST digits labelled by Ann, every 20th wrongly, approved by Rita: v1 holds the first
// 200, v2 all. Eve is the ML engineer at the screen; Rob reviews too.
struct Team
{
    Team()
    {
        const annotation::IdxArray images = annotation::readIdxFile(
            testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
        const annotation::IdxArray labels = annotation::readIdxFile(
            testing::demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
        ann = testing::addUser(*temp.workspace, QStringLiteral("ann"), Role::Annotator);
        rita = login(QStringLiteral("rita"), Role::Reviewer);
        rob = login(QStringLiteral("rob"), Role::Reviewer);
        eve = login(QStringLiteral("eve"), Role::MlEngineer);
        for (int first : {8000, 8200}) {
            const int count = first == 8000 ? 200 : 100;
            std::map<QString, int> wanted;
            {
                storage::ImageRepository repository(db());
                storage::Transaction transaction(db());
                for (int i = first; i < first + count; ++i) {
                    storage::NewImage image;
                    image.pixels = images.data.mid(qsizetype(i) * 784, 784);
                    image.sha256 = storage::BlobStore::digestOf(image.pixels);
                    image.source = QStringLiteral("scanner");
                    repository.insert(image, {QStringLiteral("test"), 0, 0});
                    const int label = static_cast<unsigned char>(labels.data[i]);
                    wanted[image.sha256] = i % 20 == 0 ? (label + 3) % 10 : label;
                }
                transaction.commit();
            }
            annotation::AnnotationService annotate(db());
            while (const auto item = annotate.next(ann)) {
                annotate.label(ann, item->imageId,
                               storage::Label::fromDigit(
                                   wanted.at(storage::BlobStore::digestOf(item->pixels))),
                               500);
            }
            annotation::ReviewService review(db());
            while (const auto item = review.next(rita)) {
                review.approve(rita, item->imageId);
            }
            annotation::DatasetService(db(), temp.workspace->root())
                .commit(rita, QStringLiteral("%1 digits").arg(first + count - 8000));
        }
    }
    annotation::Principal login(const QString &name, Role role)
    {
        testing::addUser(*temp.workspace, name, role);
        return annotation::AuthService(db())
            .login(name, QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    }
    QSqlDatabase db() const { return temp.workspace->db(); }
    int count(const QString &sql) const
    {
        storage::SqlQuery query(db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toInt() : -1;
    }

    testing::TempWorkspace temp;
    annotation::Principal ann;
    annotation::Principal rita;
    annotation::Principal rob;
    annotation::Principal eve;
};

// True once the spy has seen its signal, whether before this call or within `ms`.
bool arrived(QSignalSpy &spy, int ms = 30000)
{
    return spy.count() > 0 || spy.wait(ms);
}

template <typename T> T *child(const QWidget &parent, const char *name)
{
    return parent.findChild<T *>(QLatin1String(name));
}

QString labelText(const QWidget &parent, const char *name)
{
    const auto *label = child<QLabel>(parent, name);
    return label ? label->text() : QString();
}

// The view shown, active, with `tag` selected and the Checks tab opened with Alt+H.
ui::DatasetChecksPane *openChecks(ui::DatasetsView &view, const QString &tag)
{
    QSignalSpy shown(&view, &ui::DatasetsView::versionsShown);
    view.show();
    view.activateWindow();
    if (!QTest::qWaitForWindowActive(&view) || !arrived(shown)) {
        return nullptr;
    }
    auto *pane = view.findChild<ui::DatasetChecksPane *>();
    QSignalSpy checkShown(pane, &ui::DatasetChecksPane::checkShown);
    view.selectVersions({tag});
    QTest::keyClick(&view, Qt::Key_H, Qt::AltModifier);
    if (child<QTabWidget>(view, "datasetTabs")->currentWidget() != pane || !arrived(checkShown)) {
        return nullptr;
    }
    // An earlier load (of the version selected first) may have been the one seen.
    const bool loaded = QTest::qWaitFor(
        [&] {
            const QString summary = labelText(*pane, "checkSummary");
            return summary.contains(tag) && !summary.startsWith(QStringLiteral("Reading"));
        },
        30000);
    pane->process()->setExecutable(QStringLiteral(DIGITDESK_BINARY));
    return loaded ? pane : nullptr;
}

} // namespace

class tst_DataChecksView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsAChildAndSendsSuspectsToReview();
    void cancelStopsTheCheck();
    void reviewersSeeButMayNotRun();
};

void tst_DataChecksView::runsAChildAndSendsSuspectsToReview()
{
    Team team;
    ui::DatasetsView view(*team.temp.workspace, team.eve);
    ui::DatasetChecksPane *pane = openChecks(view, QStringLiteral("v2"));
    QVERIFY(pane);
    QAbstractItemModelTester tester(pane->model());
    QVERIFY2(labelText(*pane, "checkSummary").contains(QStringLiteral("No check run yet for v2")),
             qPrintable(labelText(*pane, "checkSummary")));
    QVERIFY(!child<QPushButton>(*pane, "sendAllButton")->isEnabled());

    // Alt+U runs it as a child process; its progress reaches the bar.
    pane->process()->setFoldsAndEpochs(2, 4);
    QSignalSpy progressed(pane->process(), &ui::DataCheckProcess::progressed);
    QSignalSpy ended(pane, &ui::DatasetChecksPane::checkEnded);
    QSignalSpy shown(pane, &ui::DatasetChecksPane::checkShown);
    QTest::keyClick(&view, Qt::Key_U, Qt::AltModifier);
    // A mnemonic clicks as a click animates: the process starts a moment later.
    QTRY_VERIFY(pane->isRunning());
    QVERIFY(!child<QPushButton>(*pane, "runCheckButton")->isEnabled());
    QVERIFY(arrived(ended, 240000));
    QCOMPARE(ended.first().first().value<ui::DataCheckProcess::Outcome>(),
             ui::DataCheckProcess::Outcome::Finished);
    QVERIFY(progressed.count() > 0);
    QVERIFY(arrived(shown));
    const QString summary = labelText(*pane, "checkSummary");
    QVERIFY2(summary.contains(QStringLiteral("likely label errors among 300 digits")),
             qPrintable(summary));
    QVERIFY(labelText(*pane, "checkDetails").contains(QStringLiteral("against v1")));

    // Thumbnails with given label, suspected label and confidence.
    const ui::SuspectListModel *model = pane->model();
    const int suspects = model->rowCount();
    QVERIFY(suspects >= 2);
    const QModelIndex first = model->index(0);
    QVERIFY(!first.data(Qt::DecorationRole).value<QImage>().isNull());
    QCOMPARE(first.data(Qt::DisplayRole).toString().left(5),
             QStringLiteral("%1 → %2")
                 .arg(first.data(ui::SuspectListModel::GivenRole).toInt())
                 .arg(first.data(ui::SuspectListModel::SuspectedRole).toInt()));

    // The first is current and selected: Alt+V sends it alone, Alt+L the rest.
    auto *list = child<QListView>(*pane, "suspectList");
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Home);
    QSignalSpy sent(pane, &ui::DatasetChecksPane::sendFinished);
    QTest::keyClick(&view, Qt::Key_V, Qt::AltModifier);
    QVERIFY(arrived(sent));
    QVERIFY(sent.first().first().toBool());
    const QString waiting = QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'labelled'");
    QCOMPARE(team.count(waiting), 1);
    QVERIFY(labelText(*pane, "checkMessage").startsWith(QStringLiteral("1 suspect")));
    QTRY_VERIFY(model->index(0).data().toString().contains(QStringLiteral("in review")));
    QTest::keyClick(&view, Qt::Key_L, Qt::AltModifier);
    QTRY_COMPARE_WITH_TIMEOUT(sent.count(), 2, 30000);
    QCOMPARE(team.count(waiting), suspects);
    QVERIFY2(labelText(*pane, "checkMessage").contains(QStringLiteral("1 already there")),
             qPrintable(labelText(*pane, "checkMessage")));

    // Rob, not Rita who approved them, gets them, marked with the evidence.
    QVERIFY(!annotation::ReviewService(team.db()).next(team.rita));
    ui::ReviewView review(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rob);
    review.show();
    QTRY_VERIFY(!review.isBusy() && review.currentImageId() != 0);
    const auto *mark = child<QLabel>(review, "suspectedError");
    QVERIFY(mark && mark->isVisible());
    QVERIFY2(mark->text().contains(QStringLiteral("Suspected label error (data check of v2)")) &&
                 mark->text().contains(QStringLiteral("Approved before by rita")),
             qPrintable(mark->text()));
}

void tst_DataChecksView::cancelStopsTheCheck()
{
    Team team;
    ui::DatasetsView view(*team.temp.workspace, team.eve);
    ui::DatasetChecksPane *pane = openChecks(view, QStringLiteral("v1"));
    QVERIFY(pane);
    pane->process()->setFoldsAndEpochs(5, 50);
    QSignalSpy progressed(pane->process(), &ui::DataCheckProcess::progressed);
    QSignalSpy ended(pane, &ui::DatasetChecksPane::checkEnded);
    QTest::keyClick(&view, Qt::Key_U, Qt::AltModifier);
    QVERIFY(arrived(progressed, 60000));
    QVERIFY(child<QPushButton>(*pane, "cancelCheckButton")->isEnabled());
    QTest::keyClick(&view, Qt::Key_K, Qt::AltModifier);
    QVERIFY(arrived(ended));
    QCOMPARE(ended.first().first().value<ui::DataCheckProcess::Outcome>(),
             ui::DataCheckProcess::Outcome::Cancelled);
    QVERIFY(!pane->isRunning());
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM data_checks WHERE status ="
                                       " 'cancelled'")),
             1);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM label_suspects")), 0);
    QVERIFY(labelText(*pane, "checkSummary").contains(QStringLiteral("No check run yet for v1")));
    QVERIFY(child<QPushButton>(*pane, "runCheckButton")->isEnabled());
}

void tst_DataChecksView::reviewersSeeButMayNotRun()
{
    Team team;
    ui::DatasetsView view(*team.temp.workspace, team.rita);
    ui::DatasetChecksPane *pane = openChecks(view, QStringLiteral("v1"));
    QVERIFY(pane);
    const auto *run = child<QPushButton>(*pane, "runCheckButton");
    QVERIFY(!run->isEnabled());
    QVERIFY(run->toolTip().contains(QStringLiteral("yours is reviewer")));
    QTest::keyClick(&view, Qt::Key_U, Qt::AltModifier);
    QVERIFY(!pane->isRunning());
}

QTEST_MAIN(tst_DataChecksView)
#include "tst_datachecksview.moc"
