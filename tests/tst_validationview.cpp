#include "annotation/datasetservice.h"
#include "annotation/modelregistry.h"
#include "annotation/releasesignoff.h"
#include "models/flopcount.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/testdata.h"
#include "ui/comparisonpane.h"
#include "ui/mainwindow.h"
#include "ui/modelsview.h"
#include "ui/modeltablemodel.h"
#include "ui/releaseevidencepane.h"
#include "ui/validationview.h"

#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

using namespace digitdesk;
using annotation::Role;

namespace {

// 300 approved images as v1; production (model 1) approved by quinn (ML QA) and promoted by
// eve; eve's candidate waits for a decision.
struct Release
{
    Release()
    {
        people = testing::addPeople(*temp.workspace);
        qa = testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa);
        manager = testing::addUser(*temp.workspace, QStringLiteral("mia"), Role::Manager);
        testing::addApprovedImages(*temp.workspace, 0, 300);
        v1 = annotation::DatasetService(db(), temp.workspace->root())
                 .commit(people.engineer, QStringLiteral("first"));
        production = registerModel(people.engineer, 0.95);
        annotation::ReleaseSignOff(db()).decide(qa, production, true, QStringLiteral("baseline"));
        annotation::ModelRegistry(db(), temp.workspace->root())
            .promote(people.engineer, production, QStringLiteral("first"));
        candidate = registerModel(people.engineer, 0.97);
    }

    QSqlDatabase db() const { return temp.workspace->db(); }

    // An untrained network (its answers meaningless, its figures failing the checklist)
    // registered as trained on v1.
    qint64 registerModel(const annotation::Principal &who, double recordedAccuracy)
    {
        annotation::ModelRegistry registry(db(), temp.workspace->root());
        const QString file = temp.dir.filePath(QStringLiteral("model-%1.pt").arg(++m_files));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(who, QStringLiteral("v1"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = QStringLiteral(R"({"validation":{"accuracy":%1}})").arg(recordedAccuracy);
        trained.dataDigest = QStringLiteral("digest");
        trained.datasetCommit = v1.commitId;
        return registry.registerTrained(who, run, trained);
    }

    // The release decisions stored for the model: "1 quinn: comment" per row, oldest first.
    QStringList decisions(qint64 modelId) const
    {
        QSqlQuery query(db());
        query.prepare(QStringLiteral("SELECT approved, decided_by, comment FROM release_decisions"
                                     " WHERE model_id = :id ORDER BY id"));
        query.bindValue(QStringLiteral(":id"), modelId);
        query.exec();
        QStringList rows;
        while (query.next()) {
            rows << QStringLiteral("%1 %2: %3")
                        .arg(query.value(0).toInt())
                        .arg(query.value(1).toString(), query.value(2).toString());
        }
        return rows;
    }

    testing::TempWorkspace temp;
    testing::People people;
    annotation::Principal qa;
    annotation::Principal manager;
    annotation::DatasetVersion v1;
    qint64 production = 0;
    qint64 candidate = 0;

private:
    int m_files = 0;
};

// The view as `who` sees it, once the first model's evidence is on screen.
std::unique_ptr<ui::ValidationView> openView(const Release &release,
                                             const annotation::Principal &who)
{
    auto view = std::make_unique<ui::ValidationView>(*release.temp.workspace, who);
    QSignalSpy evidence(view.get(), &ui::ValidationView::evidenceShown);
    view->resize(1200, 900);
    view->show();
    evidence.wait(30000);
    return view;
}

// Answers the next message box with `button`, from inside its event loop; its text to `shown`.
void answerMessageBox(QMessageBox::StandardButton button, QString *shown)
{
    auto *timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, button, shown] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (box == nullptr) {
            return;
        }
        timer->deleteLater();
        *shown = box->text();
        QTest::mouseClick(box->button(button), Qt::LeftButton);
    });
    timer->start(20);
}

QString text(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item != nullptr ? item->text() : QString();
}

} // namespace

class tst_ValidationView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qaSeesTheEvidenceOfTheWaitingModel();
    void approveByClick();
    void keyboardMovesBetweenModelsAndTabLeaves();
    void rejectNeedsAComment();
    void fourEyesRefusalIsShown();
    void othersReadOrDoNotSeeIt();
    void modelsViewShowsReleaseAndWaiver();
};

void tst_ValidationView::qaSeesTheEvidenceOfTheWaitingModel()
{
    Release release;
    const auto view = openView(release, release.qa);
    QCOMPARE(view->candidates().size(), size_t(2));
    QCOMPARE(view->candidates()[0].model.id, release.candidate);
    QVERIFY(view->candidates()[0].status == annotation::ReleaseStatus::PendingValidation);
    QCOMPARE(view->candidates()[1].model.id, release.production);
    QVERIFY(view->candidates()[1].status == annotation::ReleaseStatus::Approved);
    QCOMPARE(view->selectedModel(), release.candidate);
    QVERIFY(view->statusText().startsWith(QStringLiteral("1 model(s) wait")));

    const ui::ReleaseEvidencePane *evidence = view->evidence();
    QVERIFY2(evidence->lineageText().contains(QStringLiteral("dataset version v1")),
             qPrintable(evidence->lineageText()));
    QVERIFY(evidence->lineageText().contains(
        QStringLiteral("against production (model %1)").arg(release.production)));
    QVERIFY(evidence->lineageText().contains(QStringLiteral("Release: pending validation")));
    // Held-out accuracy, ECE, every class's recall and the version's data check; an untrained
    // network fails accuracy, red.
    const QTableWidget *checklist = evidence->checklist();
    QCOMPARE(checklist->rowCount(), 4);
    QCOMPARE(text(checklist, 0, 0), QStringLiteral("held-out accuracy"));
    QCOMPARE(text(checklist, 1, 0), QStringLiteral("calibration error (ECE)"));
    QCOMPARE(text(checklist, 2, 0), QStringLiteral("recall of every class"));
    QCOMPARE(text(checklist, 3, 0), QStringLiteral("data check of v1"));
    QCOMPARE(text(checklist, 0, 3), QStringLiteral("fail"));
    QCOMPARE(checklist->item(0, 3)->background().color(), QColor(QStringLiteral("#ffebee")));
    for (int row = 0; row < checklist->rowCount(); ++row) {
        const QString result = text(checklist, row, 3);
        QVERIFY(result == QStringLiteral("pass") || result == QStringLiteral("fail"));
        QCOMPARE(checklist->item(row, 3)->background().color(),
                 QColor(result == QStringLiteral("pass") ? QStringLiteral("#e8f5e9")
                                                         : QStringLiteral("#ffebee")));
    }
    const QTableWidget *baselines = evidence->baselines();
    QCOMPARE(baselines->rowCount(), 7);
    QCOMPARE(text(baselines, 1, 0),
             QStringLiteral("model %1 (production)").arg(release.production));
    QCOMPARE(text(baselines, 2, 0), QStringLiteral("random guess"));
    QCOMPARE(text(baselines, 2, 1), QStringLiteral("10.00%"));
    QVERIFY(text(baselines, 3, 0).startsWith(QStringLiteral("majority class")));
    QVERIFY(text(baselines, 4, 0).startsWith(QStringLiteral("nearest centroid")));
    QCOMPARE(text(baselines, 5, 2), QStringLiteral("no gold item answered yet"));
    // The held-out split: 60 of the 300 images, all from one source, imported this month.
    const int heldOut = evidence->comparison()->result().heldOut.count;
    QCOMPARE(heldOut, 60);
    const QTableWidget *slices = evidence->slices();
    QCOMPARE(text(slices, 0, 0), QStringLiteral("image source"));
    QCOMPARE(text(slices, 0, 1), QStringLiteral("bulk"));
    QCOMPARE(text(slices, 0, 2), QStringLiteral("60"));
    QCOMPARE(text(slices, 1, 0), QStringLiteral("month imported"));
    QCOMPARE(text(slices, 1, 1),
             QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM")));
    int predicted = 0;
    for (int row = 2; row < slices->rowCount(); ++row) {
        QCOMPARE(text(slices, row, 0), QStringLiteral("predicted class"));
        predicted += text(slices, row, 2).toInt();
    }
    QCOMPARE(predicted, 60); // each image once, under the candidate's answer
}

void tst_ValidationView::approveByClick()
{
    Release release;
    auto view = std::make_unique<ui::ValidationView>(*release.temp.workspace, release.qa);
    auto *approve = view->findChild<QPushButton *>(QStringLiteral("approveRelease"));
    auto *comment = view->findChild<QPlainTextEdit *>(QStringLiteral("decisionComment"));
    QVERIFY(approve != nullptr && comment != nullptr);
    // Listed, but nothing evaluated yet: nothing to approve on.
    bool enabledWhenListed = true;
    connect(
        view.get(), &ui::ValidationView::candidatesShown, approve,
        [&enabledWhenListed, approve] { enabledWhenListed = approve->isEnabled(); },
        Qt::SingleShotConnection);
    QSignalSpy evidence(view.get(), &ui::ValidationView::evidenceShown);
    view->resize(1200, 900);
    view->show();
    QVERIFY(QTest::qWaitForWindowActive(view.get()));
    QVERIFY(evidence.size() > 0 || evidence.wait(30000));
    QVERIFY(!enabledWhenListed);
    QVERIFY(approve->isVisible() && approve->isEnabled());

    // The untrained candidate fails the checklist: approving it takes a reason, and a yes.
    QString asked;
    answerMessageBox(QMessageBox::Ok, &asked);
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY2(asked.contains(QStringLiteral("fails the release checklist: held-out accuracy")),
             qPrintable(asked));
    QVERIFY(asked.contains(QStringLiteral("needs a comment")));
    QTRY_VERIFY(view->focusWidget() == comment); // focused once the window is active again
    QTest::keyClicks(comment, QStringLiteral("a demo, knowingly"));
    answerMessageBox(QMessageBox::No, &asked);
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY2(asked.contains(QStringLiteral("Approve it for production anyway")), qPrintable(asked));
    QVERIFY(release.decisions(release.candidate).isEmpty());
    QSignalSpy decided(view.get(), &ui::ValidationView::decisionShown);
    answerMessageBox(QMessageBox::Yes, &asked);
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY(decided.wait(10000));
    QCOMPARE(release.decisions(release.candidate),
             QStringList{QStringLiteral("1 quinn: a demo, knowingly")});
    QVERIFY(!approve->isEnabled()); // approved already
    QVERIFY2(view->statusText().startsWith(
                 QStringLiteral("Model %1 approved for release by quinn").arg(release.candidate)),
             qPrintable(view->statusText()));
    QTRY_VERIFY_WITH_TIMEOUT(
        view->candidates().front().status == annotation::ReleaseStatus::Approved, 10000);
    QVERIFY(view->evidence()->lineageText().contains(QStringLiteral("approved by quinn")));
    // Production may move to it now.
    QVERIFY(!annotation::ModelRegistry(release.db(), release.temp.workspace->root())
                 .promotionBlocker(release.candidate)
                 .has_value());
}

void tst_ValidationView::keyboardMovesBetweenModelsAndTabLeaves()
{
    Release release;
    const auto view = openView(release, release.qa);
    QVERIFY(QTest::qWaitForWindowActive(view.get()));
    auto *list = view->findChild<QTableWidget *>(QStringLiteral("releaseCandidates"));
    auto *comment = view->findChild<QPlainTextEdit *>(QStringLiteral("decisionComment"));
    auto *approve = view->findChild<QPushButton *>(QStringLiteral("approveRelease"));
    QVERIFY(list != nullptr && comment != nullptr && approve != nullptr);
    QVERIFY(!view->evidence()->checklist()->tabKeyNavigation());
    QSignalSpy requested(view.get(), &ui::ValidationView::requestEvidence);
    list->setFocus();
    QTRY_VERIFY(list->hasFocus());

    // Another cell of the same row is the same model: nothing is evaluated again.
    QTest::keyClick(list, Qt::Key_Right);
    QTest::keyClick(list, Qt::Key_Right);
    QCOMPARE(view->selectedModel(), release.candidate);
    // Tab leaves the list, the model stays.
    QTest::keyClick(list, Qt::Key_Tab);
    QTRY_VERIFY(!list->hasFocus());
    QCOMPARE(view->selectedModel(), release.candidate);
    QVERIFY(requested.isEmpty());
    QVERIFY(approve->isEnabled());

    // Down is the next model; production is approved already.
    list->setFocus();
    QTRY_VERIFY(list->hasFocus());
    QSignalSpy evidence(view.get(), &ui::ValidationView::evidenceShown);
    QTest::keyClick(list, Qt::Key_Down);
    QCOMPARE(view->selectedModel(), release.production);
    QCOMPARE(requested.size(), 1);
    QVERIFY(!approve->isEnabled()); // until its evidence is on screen
    QVERIFY(evidence.wait(30000));
    QCOMPARE(evidence.last().at(0).toLongLong(), release.production);
    QVERIFY(!approve->isEnabled());

    // Alt+D reaches the comment.
    QTest::keyClick(view.get(), Qt::Key_D, Qt::AltModifier);
    QTRY_VERIFY(comment->hasFocus());
}

void tst_ValidationView::rejectNeedsAComment()
{
    Release release;
    const auto view = openView(release, release.qa);
    auto *reject = view->findChild<QPushButton *>(QStringLiteral("rejectRelease"));
    auto *comment = view->findChild<QPlainTextEdit *>(QStringLiteral("decisionComment"));
    QVERIFY(reject != nullptr && comment != nullptr);
    QVERIFY(!reject->isEnabled());
    QTest::keyClicks(comment, QStringLiteral("   "));
    QVERIFY(!reject->isEnabled()); // blanks are no reason
    QTest::keyClicks(comment, QStringLiteral("fails the accuracy floor"));
    QVERIFY(reject->isEnabled());
    QSignalSpy decided(view.get(), &ui::ValidationView::decisionShown);
    QTest::mouseClick(reject, Qt::LeftButton);
    QVERIFY(decided.wait(10000));
    QCOMPARE(release.decisions(release.candidate),
             QStringList{QStringLiteral("0 quinn: fails the accuracy floor")});
    QCOMPARE(view->statusText(),
             QStringLiteral("Model %1 rejected by quinn.").arg(release.candidate));
    QVERIFY(comment->toPlainText().isEmpty());
    QVERIFY(!reject->isEnabled());
    QVERIFY(view->evidence()->lineageText().contains(
        QStringLiteral("rejected by quinn: fails the accuracy floor")));
    QVERIFY(annotation::ModelRegistry(release.db(), release.temp.workspace->root())
                .promotionBlocker(release.candidate)
                .has_value());
}

void tst_ValidationView::fourEyesRefusalIsShown()
{
    Release release;
    // The admin may validate, but not a model of their own.
    const qint64 own = release.registerModel(release.people.admin, 0.99);
    auto view = std::make_unique<ui::ValidationView>(*release.temp.workspace, release.people.admin);
    QSignalSpy listed(view.get(), &ui::ValidationView::candidatesShown);
    view->show();
    QVERIFY(listed.wait(10000));
    view->selectModel(own);
    QCOMPARE(view->selectedModel(), own);
    auto *approve = view->findChild<QPushButton *>(QStringLiteral("approveRelease"));
    QTRY_VERIFY_WITH_TIMEOUT(approve->isEnabled(), 30000); // its evidence is on screen
    QTest::keyClicks(view->findChild<QPlainTextEdit *>(QStringLiteral("decisionComment")),
                     QStringLiteral("mine"));
    QSignalSpy failed(view.get(), &ui::ValidationView::actionFailed);
    QString asked;
    answerMessageBox(QMessageBox::Yes, &asked);
    QTest::mouseClick(approve, Qt::LeftButton);
    QVERIFY(failed.wait(10000));
    QVERIFY2(view->statusText().contains(
                 QStringLiteral("ada trained model %1; someone else must sign it off (four eyes)")
                     .arg(own)),
             qPrintable(view->statusText()));
    QVERIFY(release.decisions(own).isEmpty());
    // The refusal stays on screen when the list is read again after it.
    QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 2, 10000);
    QVERIFY(view->statusText().contains(QStringLiteral("four eyes")));
}

void tst_ValidationView::othersReadOrDoNotSeeIt()
{
    Release release;
    for (const annotation::Principal &who : {release.people.engineer, release.manager}) {
        ui::MainWindow window(*release.temp.workspace, who);
        QVERIFY(window.validationView() != nullptr);
        const auto view = openView(release, who);
        QCOMPARE(view->evidence()->checklist()->rowCount(), 4);
        QVERIFY(!view->findChild<QPushButton *>(QStringLiteral("approveRelease"))->isVisible());
    }
    for (const annotation::Principal &who : {release.people.annotator, release.people.reviewer}) {
        ui::MainWindow window(*release.temp.workspace, who);
        QVERIFY(window.validationView() == nullptr);
        ui::ValidationView view(*release.temp.workspace, who);
        view.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(view.statusText().contains(QStringLiteral("permission denied")),
                                 10000);
        QVERIFY(view.candidates().empty());
    }
}

void tst_ValidationView::modelsViewShowsReleaseAndWaiver()
{
    Release release;
    ui::ModelsView view(*release.temp.workspace, release.people.engineer);
    QSignalSpy shown(&view, &ui::ModelsView::registryShown);
    view.show();
    QVERIFY(shown.wait(10000));
    const auto status = [&view](qint64 modelId) {
        const int row = view.modelTable()->rowOf(modelId);
        return view.modelTable()->index(row, ui::ModelTableModel::ReleaseColumn).data().toString();
    };
    QCOMPARE(status(release.candidate), QStringLiteral("pending validation"));
    QCOMPARE(status(release.production), QStringLiteral("approved"));
    QCOMPARE(view.modelTable()->headerData(ui::ModelTableModel::ReleaseColumn, Qt::Horizontal,
                                           Qt::DisplayRole),
             QVariant(QStringLiteral("Release")));
    QVERIFY(!view.waiverShown());
    annotation::ReleaseSignOff(release.db()).setWaived(release.people.admin, true);
    view.refresh();
    QVERIFY(shown.wait(10000));
    QVERIFY(view.waiverShown());
    const auto *line = view.findChild<QLabel *>(QStringLiteral("signOffWaiver"));
    QCOMPARE(line->text(), QStringLiteral("Release sign-off is waived: models reach production "
                                          "without an ML QA approval."));
}

QTEST_MAIN(tst_ValidationView)
#include "tst_validationview.moc"
