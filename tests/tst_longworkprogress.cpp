// Long work in the GUI counts "N of M" and stops on Cancel, leaving nothing half-done: dataset
// commit, export, predictions (re-predict, and after an import), release evaluation, comparison;
// training's count and Cancel are tst_trainingview's. And the Datasets view on a dark palette.

#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/releasesignoff.h"
#include "models/flopcount.h"
#include "storage/auditlog.h"
#include "storage/datasetversionrepository.h"
#include "storage/predictionrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/datasetsviewfixture.h"
#include "tests/support/renderedcontrast.h"
#include "ui/appearance.h"
#include "ui/comparisonpane.h"
#include "ui/datasethistogramchart.h"
#include "ui/datasetsview.h"
#include "ui/datasetworker.h"
#include "ui/modelsview.h"
#include "ui/modelsworker.h"
#include "ui/releaseevidencepane.h"
#include "ui/validationview.h"
#include "ui/validationworker.h"

#include <QAbstractAxis>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QSemaphore>

#include <atomic>
#include <memory>

using namespace digitdesk;
using annotation::Role;
using testing::datasetsview::child;
using testing::datasetsview::modalDialog;
using testing::datasetsview::showAndLoad;

namespace {

// Holds the worker thread inside its first progress report that is not its last until the test
// has pressed Cancel, so that Cancel lands mid-way however fast the machine is.
class ProgressGate final
{
public:
    template <typename Worker, typename Signal> ProgressGate(Worker *worker, Signal signal)
    {
        m_connection = QObject::connect(
            worker, signal, worker,
            [state = m_state](qint64 done, qint64 total) {
                if (done > 0 && done < total && !state->held.exchange(true)) {
                    state->release.tryAcquire(1, 60000);
                }
            },
            Qt::DirectConnection);
    }
    ~ProgressGate()
    {
        QObject::disconnect(m_connection);
        open();
    }
    Q_DISABLE_COPY_MOVE(ProgressGate)

    void open() { m_state->release.release(); }

private:
    struct State
    {
        std::atomic<bool> held{false};
        QSemaphore release;
    };
    std::shared_ptr<State> m_state = std::make_shared<State>();
    QMetaObject::Connection m_connection;
};

QString count(qint64 value)
{
    return QLocale().toString(value);
}

// The colour a style sheet gives its text.
QColor textColourOf(const QString &styleSheet)
{
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("(?:^|[ ;{])color: *(#[0-9a-fA-F]{6})"))
            .match(styleSheet);
    return match.hasMatch() ? QColor(match.captured(1)) : QColor();
}

// 300 approved images as v1; production approved by quinn (ML QA) and promoted by eve; eve's
// candidate, trained on v1 too, waits for a decision. Held out: 60 images.
struct Release
{
    Release()
    {
        people = testing::addPeople(*temp.workspace);
        qa = testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa);
        testing::addApprovedImages(*temp.workspace, 0, 300);
        v1 = annotation::DatasetService(db(), temp.workspace->root())
                 .commit(people.engineer, QStringLiteral("first"));
        production = registerModel();
        annotation::ReleaseSignOff(db()).decide(qa, production, true, QStringLiteral("baseline"));
        annotation::ModelRegistry(db(), temp.workspace->root())
            .promote(people.engineer, production, QStringLiteral("first"));
        candidate = registerModel();
    }

    QSqlDatabase db() const { return temp.workspace->db(); }

    qint64 registerModel()
    {
        annotation::ModelRegistry registry(db(), temp.workspace->root());
        const QString file = temp.dir.filePath(QStringLiteral("model-%1.pt").arg(++m_files));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(people.engineer, QStringLiteral("v1"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = QStringLiteral(R"({"validation":{"accuracy":0.9}})");
        trained.dataDigest = QStringLiteral("digest");
        trained.datasetCommit = v1.commitId;
        return registry.registerTrained(people.engineer, run, trained);
    }

    testing::TempWorkspace temp;
    testing::People people;
    annotation::Principal qa;
    annotation::DatasetVersion v1;
    qint64 production = 0;
    qint64 candidate = 0;

private:
    int m_files = 0;
};

bool showModels(ui::ModelsView &view)
{
    QSignalSpy shown(&view, &ui::ModelsView::registryShown);
    view.resize(1100, 800);
    view.show();
    return shown.wait(30000);
}

// An untrained network, signed off by quinn (ML QA) and made production by the engineer: what
// it answers does not matter, only how many images it is asked about.
qint64 promoteUntrainedModel(const testing::TempWorkspace &temp, const testing::People &people)
{
    const auto qa = testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa);
    const qint64 model = testing::addUntrainedModel(temp, people.engineer);
    annotation::ReleaseSignOff(temp.workspace->db())
        .decide(qa, model, true, QStringLiteral("fixture"));
    annotation::ModelRegistry(temp.workspace->db(), temp.workspace->root())
        .promote(people.engineer, model, QStringLiteral("first"));
    return model;
}

} // namespace

class tst_LongWorkProgress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void datasetCommitCountsImagesAndCancelLeavesNoVersion();
    void exportCountsImagesAndCancelRemovesWhatItWrote_data();
    void exportCountsImagesAndCancelRemovesWhatItWrote();
    void repredictCountsWaitingImagesAndStopsBetweenBatches();
    void releaseEvaluationCountsAnswersAndCancelOffersAgain();
    void comparisonCountsAnswersAndCancels();
    void importPredictionsCountImagesAndCancelStopsThem();
    void datasetsViewStaysLegibleOnADarkPalette();
};

void tst_LongWorkProgress::datasetCommitCountsImagesAndCancelLeavesNoVersion()
{
    testing::TempWorkspace temp;
    const testing::People people = testing::addPeople(*temp.workspace);
    testing::addApprovedImages(*temp.workspace, 0, 2300); // two chunks of 2,048 to encode
    ui::DatasetsView view(*temp.workspace, people.reviewer);
    view.resize(900, 600);
    QVERIFY(showAndLoad(view));
    ProgressGate gate(view.worker(), &ui::DatasetWorker::commitProgressed);
    QSignalSpy finished(&view, &ui::DatasetsView::commitFinished);

    const auto commit = [&] {
        QTest::mouseClick(child<QPushButton>(view, "commitButton"), Qt::LeftButton);
        QDialog *dialog = modalDialog();
        QVERIFY(dialog);
        QTest::keyClicks(child<QLineEdit>(*dialog, "commitMessage"), QStringLiteral("big batch"));
        QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
    };
    commit();
    auto *bar = child<QProgressBar>(view, "commitProgress");
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, 30000);
    QVERIFY2(bar->text().contains(QStringLiteral("%1 of %2 images").arg(count(2048), count(2300))),
             qPrintable(bar->text()));
    auto *cancel = child<QPushButton>(view, "cancelDatasetWork");
    QVERIFY(cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    gate.open();
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QCOMPARE(finished.front().front().toBool(), false);
    const QString message = child<QLabel>(view, "message")->text();
    QVERIFY2(message.startsWith(QStringLiteral("Commit cancelled")), qPrintable(message));
    QVERIFY(!bar->isVisible() && !cancel->isVisible());

    // Nothing half-done: no row, no tag, no reference, not one object in dataset.git.
    QVERIFY(storage::DatasetVersionRepository(temp.workspace->db()).list().empty());
    QVERIFY(testing::ownTagsAre(*temp.workspace, {}));
    const QString gitDir = temp.workspace->datasetRepositoryPath();
    QCOMPARE(testing::gitOn(gitDir, "for-each-ref"), QString());
    const QString objects = testing::gitOn(gitDir, "count-objects -v");
    QVERIFY2(objects.contains(QStringLiteral("count: 0")) &&
                 objects.contains(QStringLiteral("in-pack: 0")),
             qPrintable(objects));

    // The next commit, left alone, makes v1 of all 2,300 images.
    finished.clear();
    commit();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.front().front().toBool(), true);
    QVERIFY(testing::ownTagsAre(*temp.workspace, {QStringLiteral("v1")}));
    QCOMPARE(storage::DatasetVersionRepository(temp.workspace->db()).list().front().imageCount,
             2300);
}

void tst_LongWorkProgress::exportCountsImagesAndCancelRemovesWhatItWrote_data()
{
    QTest::addColumn<bool>("folderWasThere");
    QTest::newRow("new folder") << false;
    QTest::newRow("empty folder made before") << true;
}

void tst_LongWorkProgress::exportCountsImagesAndCancelRemovesWhatItWrote()
{
    QFETCH(bool, folderWasThere);
    testing::TempWorkspace temp;
    const testing::People people = testing::addPeople(*temp.workspace);
    testing::addApprovedImages(*temp.workspace, 0, 600);
    annotation::DatasetService(temp.workspace->db(), temp.workspace->root())
        .commit(people.reviewer, QStringLiteral("first"));
    // A new folder comes with a new parent, which the export makes too.
    const QString folder = temp.dir.filePath(folderWasThere ? QStringLiteral("export")
                                                            : QStringLiteral("made/export"));
    if (folderWasThere) {
        QVERIFY(QDir().mkpath(folder));
    }
    ui::DatasetsView view(*temp.workspace, people.engineer);
    view.resize(900, 600);
    QVERIFY(showAndLoad(view));
    ProgressGate gate(view.worker(), &ui::DatasetWorker::exportProgressed);
    QSignalSpy finished(&view, &ui::DatasetsView::exportFinished);

    QTest::mouseClick(child<QPushButton>(view, "exportButton"), Qt::LeftButton);
    QDialog *dialog = modalDialog();
    QVERIFY(dialog);
    child<QComboBox>(*dialog, "exportFormat")->setCurrentIndex(0); // ImageFolder
    QTest::keyClicks(child<QLineEdit>(*dialog, "exportFolder"), folder);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    auto *bar = child<QProgressBar>(view, "commitProgress");
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, 30000);
    QVERIFY2(bar->text().contains(QStringLiteral("%1 of %2 images").arg(count(128), count(600))),
             qPrintable(bar->text()));
    // Half an export is on disk at this point.
    QVERIFY(!QDir(folder).isEmpty());
    QTest::mouseClick(child<QPushButton>(view, "cancelDatasetWork"), Qt::LeftButton);
    gate.open();
    QVERIFY(finished.count() == 1 || finished.wait(60000));
    QCOMPARE(finished.front().front().toBool(), false);
    const QString message = child<QLabel>(view, "message")->text();
    QVERIFY2(message.startsWith(QStringLiteral("Export cancelled")), qPrintable(message));
    QVERIFY(!bar->isVisible());
    // Folders the export made are gone; one the user made is there again, empty.
    QCOMPARE(QFileInfo::exists(folderWasThere ? folder : temp.dir.filePath(QStringLiteral("made"))),
             folderWasThere);
    if (folderWasThere) {
        QVERIFY(QDir(folder).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    }
    QVERIFY(child<QPushButton>(view, "exportButton")->isEnabled());
}

void tst_LongWorkProgress::repredictCountsWaitingImagesAndStopsBetweenBatches()
{
    testing::TempWorkspace temp;
    const testing::People people = testing::addPeople(*temp.workspace);
    const qint64 model = promoteUntrainedModel(temp, people);
    // Scans that arrived with no prediction from production (the command line promoted it).
    testing::addIncomingImages(*temp.workspace, 0, 1500);
    const storage::PredictionRepository predictions(temp.workspace->db());
    QCOMPARE(predictions.countUnlabelledWithoutPrediction(model), 1500);

    ui::ModelsView view(*temp.workspace, people.engineer);
    QVERIFY(showModels(view));
    auto *repredict = view.findChild<QPushButton *>(QStringLiteral("repredictWaiting"));
    QTRY_VERIFY(repredict->isEnabled());
    ProgressGate gate(view.worker(), &ui::ModelsWorker::predictionProgressed);
    QSignalSpy ended(&view, &ui::ModelsView::predictionsShown);
    QTest::mouseClick(repredict, Qt::LeftButton);
    QVERIFY(!repredict->isEnabled());
    auto *bar = view.findChild<QProgressBar *>(QStringLiteral("predictionProgress"));
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, 30000);
    QCOMPARE(bar->value(), 512);
    QVERIFY2(bar->text().contains(
                 QStringLiteral("%1 of %2 waiting images").arg(count(512), count(1500))),
             qPrintable(bar->text()));
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("cancelPredictions")),
                      Qt::LeftButton);
    gate.open();
    QVERIFY(ended.count() == 1 || ended.wait(60000));
    QVERIFY2(view.statusText().contains(QStringLiteral("512 of 1500")),
             qPrintable(view.statusText()));
    QVERIFY(!bar->isVisible());
    // The batch under way was finished and kept, the rest left for later.
    QCOMPARE(predictions.countUnlabelledWithoutPrediction(model), 1500 - 512);

    ended.clear();
    QTRY_VERIFY(repredict->isEnabled());
    QTest::mouseClick(repredict, Qt::LeftButton);
    QVERIFY(ended.wait(60000));
    QVERIFY2(view.statusText().contains(QStringLiteral("988")), qPrintable(view.statusText()));
    QCOMPARE(predictions.countUnlabelledWithoutPrediction(model), 0);
    // Checked and recorded in annotation/, whoever asked.
    const storage::AuditEntry audited = storage::AuditLog(temp.workspace->db()).latest(1).front();
    QCOMPARE(audited.actor, people.engineer.name);
    QCOMPARE(audited.outcome, QStringLiteral("ok"));
    QVERIFY2(audited.detail.startsWith(QStringLiteral("re-predicted 988 waiting image(s)")),
             qPrintable(audited.detail));
}

void tst_LongWorkProgress::releaseEvaluationCountsAnswersAndCancelOffersAgain()
{
    Release release;
    ui::ValidationView view(*release.temp.workspace, release.qa);
    ProgressGate gate(view.worker(), &ui::ValidationWorker::evidenceProgressed);
    QSignalSpy cancelled(&view, &ui::ValidationView::evaluationCancelled);
    view.resize(1200, 900);
    view.show();
    auto *bar = view.findChild<QProgressBar *>(QStringLiteral("evidenceProgress"));
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, 30000);
    // Both models answer the 60 held-out images.
    QVERIFY2(bar->text().contains(QStringLiteral("60 of 120 answers")), qPrintable(bar->text()));
    QCOMPARE(view.selectedModel(), release.candidate);
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("cancelEvaluation")),
                      Qt::LeftButton);
    gate.open();
    QVERIFY(cancelled.count() == 1 || cancelled.wait(60000));
    QCOMPARE(cancelled.front().front().toLongLong(), release.candidate);
    QVERIFY(!bar->isVisible());
    QVERIFY2(view.evidence()->lineageText().contains(QStringLiteral("cancelled")),
             qPrintable(view.evidence()->lineageText()));
    // No evidence on screen, so no approval.
    QVERIFY(!view.findChild<QPushButton *>(QStringLiteral("approveRelease"))->isEnabled());

    auto *again = view.findChild<QPushButton *>(QStringLiteral("evaluateAgain"));
    QVERIFY(again->isVisible());
    QSignalSpy shown(&view, &ui::ValidationView::evidenceShown);
    QTest::mouseClick(again, Qt::LeftButton);
    QVERIFY(shown.wait(60000));
    QCOMPARE(view.evidence()->comparison()->result().heldOut.count, 60);
    QVERIFY(!again->isVisible());
}

void tst_LongWorkProgress::comparisonCountsAnswersAndCancels()
{
    Release release;
    ui::ModelsView view(*release.temp.workspace, release.people.engineer);
    QVERIFY(showModels(view));
    view.selectModel(release.candidate);
    auto *compare = view.findChild<QPushButton *>(QStringLiteral("compareModel"));
    QTRY_VERIFY(compare->isEnabled());
    ProgressGate gate(view.worker(), &ui::ModelsWorker::comparisonProgressed);
    QSignalSpy shown(&view, &ui::ModelsView::comparisonShown);
    QTest::mouseClick(compare, Qt::LeftButton);
    auto *bar = view.findChild<QProgressBar *>(QStringLiteral("comparisonProgress"));
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, 30000);
    QVERIFY2(bar->text().contains(QStringLiteral("60 of 120 answers")), qPrintable(bar->text()));
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("cancelComparison")),
                      Qt::LeftButton);
    gate.open();
    QVERIFY(shown.count() == 1 || shown.wait(60000));
    QCOMPARE(view.statusText(), QStringLiteral("Comparison cancelled."));
    QVERIFY(!bar->isVisible());
    QVERIFY(compare->isEnabled());
}

void tst_LongWorkProgress::importPredictionsCountImagesAndCancelStopsThem()
{
    testing::TempWorkspace temp;
    const testing::People people = testing::addPeople(*temp.workspace);
    const qint64 model = promoteUntrainedModel(temp, people);
    // 8,000 scans without labels: sixteen batches of predictions after the import.
    constexpr int Scans = 8000;
    QByteArray pixels;
    for (int i = 0; i < Scans; ++i) {
        pixels += testing::ringPixels(i);
    }
    const QString file = temp.dir.filePath(QStringLiteral("scans-images-idx3-ubyte"));
    annotation::writeIdxFile(file, {Scans, 28, 28}, pixels);

    ui::MainWindow window(*temp.workspace, people.engineer);
    window.show();
    QSignalSpy finished(&window, &ui::MainWindow::importFinished);
    window.importPaths({file});
    QPointer<QProgressDialog> dialog;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = window.findChild<QProgressDialog *>(QStringLiteral("importProgress"))) &&
            dialog->isVisible() && dialog->labelText().startsWith(QStringLiteral("Predicting")) &&
            dialog->value() > 0,
        60000);
    QVERIFY2(dialog->labelText().contains(QStringLiteral(" of %1 images").arg(Scans)),
             qPrintable(dialog->labelText()));
    QCOMPARE(dialog->maximum(), Scans);
    QTest::mouseClick(dialog->findChild<QPushButton *>(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QTRY_VERIFY(dialog.isNull()); // closed and gone
    // The import is whole; the predictions stopped between batches, each batch kept whole.
    QCOMPARE(storage::ImageRepository(temp.workspace->db()).count(), Scans);
    const qint64 left =
        storage::PredictionRepository(temp.workspace->db()).countUnlabelledWithoutPrediction(model);
    QVERIFY2(left > 0 && left < Scans && left % 512 == Scans % 512,
             qPrintable(QString::number(left)));
}

void tst_LongWorkProgress::datasetsViewStaysLegibleOnADarkPalette()
{
    const QPalette before = QApplication::palette();
    QApplication::setPalette(ui::darkPalette());
    const QColor window = ui::darkPalette().color(QPalette::Window);
    testing::TempWorkspace temp;
    const testing::People people = testing::addPeople(*temp.workspace);
    testing::addApprovedImages(*temp.workspace, 0, 40);
    {
        ui::DatasetsView view(*temp.workspace, people.reviewer);
        view.resize(900, 600);
        // Before the first version: the empty state's muted text.
        const QColor muted = textColourOf(child<QLabel>(view, "emptyState")->styleSheet());
        QVERIFY(muted.isValid());
        QVERIFY2(testing::contrastRatio(muted, window) >= 4.5, qPrintable(muted.name()));
        QVERIFY(showAndLoad(view));
        QSignalSpy finished(&view, &ui::DatasetsView::commitFinished);
        view.commitApprovedLabels(QStringLiteral("first"));
        // The notice while it commits.
        const QColor notice = textColourOf(child<QLabel>(view, "message")->styleSheet());
        QVERIFY(notice.isValid());
        QVERIFY2(testing::contrastRatio(notice, window) >= 4.5, qPrintable(notice.name()));
        QVERIFY(finished.count() == 1 || finished.wait(30000));
        QTRY_COMPARE(view.selectedTags(), QStringList{QStringLiteral("v1")});
        // The histogram draws its own background: dark, under legible axis labels and counts.
        const QChart *chart = view.histogram()->chart();
        const QColor background = chart->backgroundBrush().color();
        QVERIFY2(background.lightness() < 128, qPrintable(background.name()));
        for (const QAbstractAxis *axis : chart->axes()) {
            QVERIFY(testing::contrastRatio(axis->labelsBrush().color(), background) >= 4.5);
        }
    }
    QApplication::setPalette(before);
}

QTEST_MAIN(tst_LongWorkProgress)
#include "tst_longworkprogress.moc"
