// The annotate view for someone who works in it all day: buttons beside the keys, the image
// large and centred with its toggles, the queue's figures, grid pages sorted into bands by the
// model's answer, and colours that read on light and dark palettes.
#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/reviewservice.h"
#include "annotation/teamsettings.h"
#include "storage/settingsrepository.h"
#include "tests/support/annotatefixture.h"
#include "tests/support/annotatescreen.h"
#include "tests/support/testdata.h"
#include "ui/annotatequeuebar.h"
#include "ui/annotateview.h"
#include "ui/gridpageview.h"
#include "ui/keymap.h"
#include "ui/mainwindow.h"
#include "ui/scaledimageview.h"

#include <QApplication>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTest>

#include <algorithm>
#include <numeric>

using namespace digitdesk;

namespace {

QPushButton *button(const QWidget &view, const char *name)
{
    auto *found = view.findChild<QPushButton *>(QString::fromLatin1(name));
    if (!found) {
        qFatal("no button %s", name);
    }
    return found;
}

} // namespace

class tst_AnnotateErgonomics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void everyButtonReadsBesideTheNavigationAt800By600();
    void buttonsShowTheKeysAndDoWhatTheKeysDo();
    void buttonsFollowTheKeyMap();
    void imageIsCentredAndTogglesHoldForTheNextImage();
    void queueBarShowsWhatIsLeftAndTodaysProgress();
    void largeCountsFitAt800By600();
    void gridBandsByAnswerAndLabelsLandOnTheirImages();
    void messagesKeepTheirContrastInLightAndDarkPalettes();
};

void tst_AnnotateErgonomics::init()
{
    QSettings().remove(QStringLiteral("keys"));
}

void tst_AnnotateErgonomics::everyButtonReadsBesideTheNavigationAt800By600()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.2, 0.3, 0.4});
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    const annotation::Principal ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("ana"), QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    ui::MainWindow window(*temp.workspace, ana);
    window.resize(800, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ui::AnnotateView *view = window.annotateView();
    QTRY_VERIFY(view->currentImageId() > 0 && !view->isBusy());
    QTRY_COMPARE(window.size(), QSize(800, 600));
    auto *bar = view->findChild<ui::AnnotateQueueBar *>(QStringLiteral("queueBar"));
    QTRY_VERIFY(bar->queueText().startsWith(QStringLiteral("Left for you 3")));
    // Every text in full: the queue's figures, the model's guesses.
    for (const char *name : {"queueFigures", "todayFigures", "prediction", "sessionPanel"}) {
        const auto *label = view->findChild<QLabel *>(QString::fromLatin1(name));
        const auto neededHeight = [label] {
            return label->wordWrap() ? label->heightForWidth(label->width())
                                     : label->sizeHint().height();
        };
        QTRY_VERIFY2((label->wordWrap() || label->width() >= label->sizeHint().width()) &&
                         label->height() >= neededHeight(),
                     qPrintable(QStringLiteral("%1 %2x%3 for %4x%5")
                                    .arg(QString::fromLatin1(name))
                                    .arg(label->width())
                                    .arg(label->height())
                                    .arg(label->sizeHint().width())
                                    .arg(neededHeight())));
    }
    // Nothing to scroll: the whole view is in the window.
    QVERIFY(window.rect().contains(QRect(view->mapTo(&window, QPoint()), view->size())));
    for (const QPushButton *each : view->findChildren<QPushButton *>()) {
        const int needed = each->fontMetrics().horizontalAdvance(each->text());
        QVERIFY2(each->width() >= needed + 8, qPrintable(QStringLiteral("%1 is %2 wide for \"%3\"")
                                                             .arg(each->objectName())
                                                             .arg(each->width())
                                                             .arg(each->text())));
    }
    const auto *digit = view->findChild<ui::ScaledImageView *>(QStringLiteral("currentImage"));
    QVERIFY(std::min(digit->width(), digit->height()) >= 5 * 28);
    if (qEnvironmentVariableIsSet("DIGITDESK_SCREENSHOTS")) {
        window.grab().save(QStringLiteral("/tmp/annotate-window-800x600.png"));
    }
}

void tst_AnnotateErgonomics::buttonsShowTheKeysAndDoWhatTheKeysDo()
{
    testing::TempWorkspace temp;
    const std::vector<qint64> ids =
        testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(1000, 700);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());

    QCOMPARE(button(view, "digitButton7")->text(), QStringLiteral("7"));
    QCOMPARE(button(view, "notADigitButton")->text(), QStringLiteral("Not a digit  X"));
    QCOMPARE(button(view, "acceptButton")->text(), QStringLiteral("Accept  A / Enter"));
    QCOMPARE(button(view, "skipButton")->text(), QStringLiteral("Skip  Space"));
    QCOMPARE(button(view, "undoButton")->text(), QStringLiteral("Undo  Ctrl+Z"));
    QCOMPARE(button(view, "gridButton")->text(), QStringLiteral("Grid  G"));
    QCOMPARE(button(view, "scanButton")->text(), QStringLiteral("Scan  O"));
    QCOMPARE(button(view, "contrastButton")->text(), QStringLiteral("Contrast  C"));
    for (const QPushButton *each : view.findChildren<QPushButton *>()) {
        QVERIFY2(each->focusPolicy() == Qt::NoFocus, qPrintable(each->objectName()));
        QVERIFY2(each->isVisible(), qPrintable(each->objectName()));
    }

    const QSqlDatabase db = temp.workspace->db();
    const auto predicted = [&](qint64 image) {
        return QString::number((std::find(ids.begin(), ids.end(), image) - ids.begin()) % 10);
    };
    const qint64 first = view.currentImageId();
    QTest::mouseClick(button(view, "digitButton7"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != first);
    QCOMPARE(testing::standingLabel(db, first), QStringLiteral("7"));

    const qint64 second = view.currentImageId();
    QTest::mouseClick(button(view, "notADigitButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != second);
    QCOMPARE(testing::standingLabel(db, second), QStringLiteral("x"));

    const qint64 third = view.currentImageId();
    QTest::mouseClick(button(view, "skipButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != third);
    QCOMPARE(testing::standingLabel(db, third), QStringLiteral("none"));
    QCOMPARE(testing::scalar(
                 db, QStringLiteral("SELECT COUNT(*) FROM skips WHERE image_id = %1").arg(third)),
             1);

    // Undo takes back the last label, "x" on the second image, which comes back on screen.
    QTest::mouseClick(button(view, "undoButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == second);
    QCOMPARE(testing::standingLabel(db, second), QStringLiteral("none"));

    QTest::mouseClick(button(view, "acceptButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != second);
    QCOMPARE(testing::standingLabel(db, second), predicted(second));

    // The keys are still the view's: one Space is one skip, not a click on a focused button.
    QVERIFY(!qobject_cast<QPushButton *>(QApplication::focusWidget()));
    const qint64 fourth = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_Space);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != fourth);
    QCOMPARE(testing::scalar(db, QStringLiteral("SELECT COUNT(*) FROM skips")), 2);
    QCOMPARE(view.savedThisSession(), 2);

    // A double-click is one decision: its second click (here before the first is saved) must
    // not label the next image unseen.
    const qint64 fifth = view.currentImageId();
    QTest::mouseClick(button(view, "digitButton3"), Qt::LeftButton);
    QTest::mouseClick(button(view, "digitButton3"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != fifth);
    QCOMPARE(testing::standingLabel(db, fifth), QStringLiteral("3"));
    QCOMPARE(testing::standingLabel(db, view.currentImageId()), QStringLiteral("none"));
    QCOMPARE(view.savedThisSession(), 3);
}

void tst_AnnotateErgonomics::buttonsFollowTheKeyMap()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());

    // File > Keys: skip moves to K, and contrast's C goes to "not a digit".
    ui::KeyMap keys = ui::KeyMap::load();
    keys.setKey(ui::KeyMap::Skip, QKeySequence(Qt::Key_K));
    keys.setKey(ui::KeyMap::NotADigit, QKeySequence(Qt::Key_C));
    view.setKeyMap(keys);
    QCOMPARE(button(view, "skipButton")->text(), QStringLiteral("Skip  K"));
    QCOMPARE(button(view, "notADigitButton")->text(), QStringLiteral("Not a digit  C"));
    QCOMPARE(button(view, "contrastButton")->text(), QStringLiteral("Contrast  (no key)"));

    const QSqlDatabase db = temp.workspace->db();
    const qint64 first = view.currentImageId();
    QTest::mouseClick(button(view, "skipButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != first);
    QCOMPARE(testing::scalar(
                 db, QStringLiteral("SELECT COUNT(*) FROM skips WHERE image_id = %1").arg(first)),
             1);
    // The contrast button still toggles; C labels, as the map says.
    QTest::mouseClick(button(view, "contrastButton"), Qt::LeftButton);
    QVERIFY(view.isContrastStretched());
    QVERIFY(button(view, "contrastButton")->isChecked());
    const qint64 second = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_C);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != second);
    QCOMPARE(testing::standingLabel(db, second), QStringLiteral("x"));
    QVERIFY(view.isContrastStretched());
}

void tst_AnnotateErgonomics::imageIsCentredAndTogglesHoldForTheNextImage()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.5, 0.6});
    const std::vector<qint64> faint = testing::addFaintImages(*temp.workspace, 3, 100);
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(1920, 1080);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    QVERIFY(std::find(faint.begin(), faint.end(), view.currentImageId()) != faint.end());
    auto *digit = view.findChild<ui::ScaledImageView *>(QStringLiteral("currentImage"));
    auto *scan = view.findChild<ui::ScaledImageView *>(QStringLiteral("currentScan"));
    QVERIFY(scan->isVisible());
    // No scan to show: a narrow column for the scan, and the digit still centred.
    QTRY_VERIFY(std::abs(digit->mapTo(&view, digit->rect().center()).x() - view.width() / 2) <=
                view.width() / 50);
    if (qEnvironmentVariableIsSet("DIGITDESK_SCREENSHOTS")) {
        view.grab().save(QStringLiteral("/tmp/annotate-1920x1080.png"));
    }

    // Without the scan beside it the digit takes the middle: centred, most of the height.
    QTest::keyClick(&view, Qt::Key_O);
    QVERIFY(!view.isScanShown() && !scan->isVisible());
    QVERIFY(!button(view, "scanButton")->isChecked());
    QTRY_VERIFY(std::abs(digit->mapTo(&view, digit->rect().center()).x() - view.width() / 2) <=
                view.width() / 50);
    const int side = std::min(digit->width(), digit->height()) / 28 * 28;
    QVERIFY2(side >= view.height() / 2, qPrintable(QString::number(side)));
    QVERIFY(testing::brightestDrawn(digit) <= 100);

    QTest::mouseClick(button(view, "contrastButton"), Qt::LeftButton);
    QVERIFY(view.isContrastStretched() && button(view, "contrastButton")->isChecked());
    QTRY_COMPARE(testing::brightestDrawn(digit), 255);

    // The next faint image: both toggles as they were.
    const qint64 first = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_3);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != first);
    QVERIFY(std::find(faint.begin(), faint.end(), view.currentImageId()) != faint.end());
    QVERIFY(!scan->isVisible());
    QTRY_COMPARE(testing::brightestDrawn(digit), 255);

    QTest::keyClick(&view, Qt::Key_C);
    QTRY_VERIFY(testing::brightestDrawn(digit) <= 100);
    QTest::mouseClick(button(view, "scanButton"), Qt::LeftButton);
    QVERIFY(view.isScanShown() && scan->isVisible() && button(view, "scanButton")->isChecked());
}

void tst_AnnotateErgonomics::queueBarShowsWhatIsLeftAndTodaysProgress()
{
    testing::TempWorkspace temp;
    std::vector<double> confidences(30);
    std::iota(confidences.begin(), confidences.end(), 1.0);
    for (double &confidence : confidences) {
        confidence /= 40;
    }
    testing::addPredictedImages(*temp.workspace, confidences);
    const QSqlDatabase db = temp.workspace->db();
    storage::SettingsRepository(db).setValue(QString::fromLatin1(annotation::DailyTargetSetting),
                                             QStringLiteral("5"));
    const auto bob =
        testing::addUser(*temp.workspace, QStringLiteral("bob"), annotation::Role::Annotator);
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    // Bob labels two (they wait for review) and has a third on his screen.
    annotation::AnnotationService bobs(db);
    for (int i = 0; i < 2; ++i) {
        const auto item = bobs.next(bob);
        bobs.label(bob, item->imageId, storage::Label::fromDigit(1), 100);
    }
    QVERIFY(bobs.next(bob));

    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    auto *bar = view.findChild<ui::AnnotateQueueBar *>(QStringLiteral("queueBar"));
    auto *progress = view.findChild<QProgressBar *>(QStringLiteral("dailyProgress"));
    QTRY_COMPARE(bar->queueText(), QStringLiteral("Left for you 27 · Waiting for review 2"));
    QCOMPARE(bar->todayText(), QStringLiteral("Today 0 / 5"));
    QCOMPARE(progress->maximum(), 5);
    QCOMPARE(progress->value(), 0);

    for (int i = 1; i <= 2; ++i) {
        const qint64 image = view.currentImageId();
        QTest::keyClick(&view, Qt::Key_4);
        QTRY_VERIFY(!view.isBusy() && view.currentImageId() != image);
        QTRY_COMPARE(bar->todayText(), QStringLiteral("Today %1 / 5").arg(i));
        QCOMPARE(progress->value(), i);
    }
    QCOMPARE(bar->queueText(), QStringLiteral("Left for you 25 · Waiting for review 4"));
    // Undo gives one back.
    QTest::keyClick(&view, Qt::Key_Z, Qt::ControlModifier);
    QTRY_COMPARE(bar->todayText(), QStringLiteral("Today 1 / 5"));
    QTRY_COMPARE(bar->queueText(), QStringLiteral("Left for you 26 · Waiting for review 3"));
}

void tst_AnnotateErgonomics::largeCountsFitAt800By600()
{
    testing::TempWorkspace temp;
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(800, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *bar = view.findChild<ui::AnnotateQueueBar *>(QStringLiteral("queueBar"));
    QTRY_VERIFY(bar->queueText().startsWith(QStringLiteral("Left for you 0")));
    bar->setFigures({100'000, 100'000, 12'345, 100'000});
    for (const char *name : {"queueFigures", "todayFigures"}) {
        const auto *label = view.findChild<QLabel *>(QString::fromLatin1(name));
        QTRY_VERIFY2(label->width() >= label->sizeHint().width(),
                     qPrintable(QStringLiteral("%1: %2 wide for %3")
                                    .arg(label->text())
                                    .arg(label->width())
                                    .arg(label->sizeHint().width())));
        QVERIFY(view.rect().contains(QRect(label->mapTo(&view, QPoint()), label->size())));
    }
    if (qEnvironmentVariableIsSet("DIGITDESK_SCREENSHOTS")) {
        view.grab().save(QStringLiteral("/tmp/annotate-800x600-100k.png"));
    }
}

void tst_AnnotateErgonomics::gridBandsByAnswerAndLabelsLandOnTheirImages()
{
    testing::TempWorkspace temp;
    // Image i is predicted i % 10; confidences rise with i, so within a band the later (more
    // confident) image comes first.
    std::vector<double> confidences;
    for (int i = 0; i < 14; ++i) {
        confidences.push_back(0.80 + 0.01 * i);
    }
    const std::vector<qint64> ids = testing::addPredictedImages(*temp.workspace, confidences);
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return a % 10 != b % 10 ? a % 10 < b % 10 : confidences[a] > confidences[b];
    });

    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    QTest::mouseClick(button(view, "gridButton"), Qt::LeftButton);
    QTRY_VERIFY(view.inGridMode() && !view.isBusy() && !view.grid()->isEmpty());
    ui::GridPageView *grid = view.grid();
    for (size_t place = 0; place < order.size(); ++place) {
        QCOMPARE(grid->imageIdAt(static_cast<int>(place)), ids[order[place]]);
    }
    QCOMPARE(grid->groupHeadings().size(), 10);
    QCOMPARE(grid->groupHeadings().front(), QStringLiteral("0 — 2 images"));
    QCOMPARE(grid->groupHeadings().at(3), QStringLiteral("3 — 2 images"));
    QCOMPARE(grid->groupHeadings().back(), QStringLiteral("9 — 1 image"));
    if (qEnvironmentVariableIsSet("DIGITDESK_SCREENSHOTS")) {
        view.grab().save(QStringLiteral("/tmp/annotate-grid-1280x800.png"));
        view.setPalette(testing::darkPalette());
        view.grab().save(QStringLiteral("/tmp/annotate-grid-dark.png"));
        view.setPalette(QPalette());
    }

    // The keys walk the tiles as drawn: Right three times is the fourth tile, Down a row on.
    QTest::keyClick(&view, Qt::Key_Right);
    QTest::keyClick(&view, Qt::Key_Right);
    QTest::keyClick(&view, Qt::Key_Right);
    QTest::keyClick(&view, Qt::Key_7);
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(grid->focusIndex(), 3 + ui::GridPageView::Columns);
    QTest::keyClick(&view, Qt::Key_X);
    // A mouse user clicks the sixth tile and the 4 button.
    const int cellWidth = grid->width() / ui::GridPageView::Columns;
    const int cellHeight = grid->height() / ui::GridPageView::Rows;
    const int left = (grid->width() - cellWidth * ui::GridPageView::Columns) / 2;
    QTest::mouseClick(grid, Qt::LeftButton, {},
                      QPoint(left + 5 * cellWidth + cellWidth / 2, cellHeight / 2));
    QCOMPARE(grid->focusIndex(), 5);
    QTest::mouseClick(button(view, "digitButton4"), Qt::LeftButton);
    QTest::mouseClick(button(view, "acceptButton"), Qt::LeftButton);
    QTRY_VERIFY(!view.isBusy());

    const QSqlDatabase db = temp.workspace->db();
    for (size_t place = 0; place < order.size(); ++place) {
        const qint64 image = ids[order[place]];
        const QString expected = place == 3    ? QStringLiteral("7")
                                 : place == 11 ? QStringLiteral("x")
                                 : place == 5  ? QStringLiteral("4")
                                               : QString::number(order[place] % 10);
        QCOMPARE(testing::standingLabel(db, image), expected);
    }
}

void tst_AnnotateErgonomics::messagesKeepTheirContrastInLightAndDarkPalettes()
{
    testing::TempWorkspace temp;
    const qint64 rejected =
        testing::addRejectedLabel(*temp.workspace, QStringLiteral("look again"));
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);

    ui::AnnotateView view(*temp.workspace, ana);
    view.resize(900, 650);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.currentImageId() == rejected && !view.isBusy());
    auto *message = view.findChild<QLabel *>(QStringLiteral("message"));
    auto *help = view.findChild<QLabel *>(QStringLiteral("help"));
    QVERIFY(message->text().contains(QStringLiteral("Sent back by")));
    QTest::keyClick(&view, Qt::Key_F1);
    QVERIFY(help->isVisible());
    for (const bool dark : {false, true}) {
        view.setPalette(dark ? testing::darkPalette() : QPalette());
        QCoreApplication::processEvents();
        const double notice = testing::drawnContrast(message);
        const double keys = testing::drawnContrast(help);
        QVERIFY2(notice >= 4.5 && keys >= 4.5,
                 qPrintable(QStringLiteral("%1 palette: notice %2, help %3")
                                .arg(dark ? QStringLiteral("dark") : QStringLiteral("light"))
                                .arg(notice)
                                .arg(keys)));
        if (qEnvironmentVariableIsSet("DIGITDESK_SCREENSHOTS")) {
            view.grab().save(dark ? QStringLiteral("/tmp/annotate-dark.png")
                                  : QStringLiteral("/tmp/annotate-light.png"));
        }
    }
}

QTEST_MAIN(tst_AnnotateErgonomics)
#include "tst_annotateergonomics.moc"
