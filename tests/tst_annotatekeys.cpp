#include "annotation/annotationservice.h"
#include "annotation/reviewservice.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/settingsrepository.h"
#include "tests/support/annotatefixture.h"
#include "tests/support/testdata.h"
#include "ui/annotatekeys.h"
#include "ui/annotateview.h"
#include "ui/annotationworker.h"
#include "ui/keymap.h"
#include "ui/typedahead.h"

#include <QLabel>
#include <QSettings>
#include <QTest>

using namespace digitdesk;

namespace {

using Command = ui::AnnotateCommand;

// "decide 5", "decide x", "move Left", "accept", ...: one word per command, for the table.
QString describe(const Command &command)
{
    static const char *const kinds[] = {"none", "decide",   "accept", "skip",  "undo",  "help",
                                        "grid", "lookback", "move",   "older", "newer", "leave"};
    QString text = QString::fromLatin1(kinds[command.kind]);
    if (command.kind == Command::Decide) {
        text += QLatin1Char(' ') + command.label->text();
    } else if (command.kind == Command::Move) {
        text += QLatin1Char(' ') + QKeySequence(command.arrow).toString();
    }
    return text;
}

// The annotator's own keys: accept on q, not a digit on n, skip on s, undo on u, help on h and
// grid mode on m.
ui::KeyMap remapped()
{
    ui::KeyMap keys = ui::KeyMap::load();
    keys.setKey(ui::KeyMap::Accept, QKeySequence(Qt::Key_Q));
    keys.setKey(ui::KeyMap::NotADigit, QKeySequence(Qt::Key_N));
    keys.setKey(ui::KeyMap::Skip, QKeySequence(Qt::Key_S));
    keys.setKey(ui::KeyMap::Undo, QKeySequence(Qt::Key_U));
    keys.setKey(ui::KeyMap::Help, QKeySequence(Qt::Key_H));
    keys.setKey(ui::KeyMap::Grid, QKeySequence(Qt::Key_M));
    return keys;
}

} // namespace

class tst_AnnotateKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { QSettings().remove(QStringLiteral("keys")); }
    void command_data();
    void command();
    void typedAheadKeepsTheStripsImages();
    void remappedKeysWork();
    void typingAheadWhatTheStripShowsLabelsThoseImages();
    void keysTypedPastTheStripAreRefused();
    void acceptOnAnImageWithoutAnswerDoesNotStallTypedKeys();
};

void tst_AnnotateKeys::command_data()
{
    QTest::addColumn<bool>("ownKeys");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("key"); // QKeyCombination::toCombined()
    QTest::addColumn<QString>("expected");
    const auto row = [](const char *name, bool ownKeys, ui::AnnotateMode mode, QKeyCombination key,
                        const char *expected) {
        QTest::newRow(name) << ownKeys << static_cast<int>(mode) << key.toCombined()
                            << QString::fromLatin1(expected);
    };
    using M = ui::AnnotateMode;
    row("single: 5", false, M::Single, Qt::Key_5, "decide 5");
    row("single: Ctrl+5 is no label", false, M::Single, Qt::CTRL | Qt::Key_5, "none");
    row("single: a", false, M::Single, Qt::Key_A, "accept");
    row("single: Return", false, M::Single, Qt::Key_Return, "accept");
    row("single: Enter", false, M::Single, Qt::Key_Enter, "accept");
    row("single: x", false, M::Single, Qt::Key_X, "decide x");
    row("single: Space", false, M::Single, Qt::Key_Space, "skip");
    row("single: Ctrl+Z", false, M::Single, Qt::CTRL | Qt::Key_Z, "undo");
    row("single: Backspace", false, M::Single, Qt::Key_Backspace, "undo");
    row("single: ?", false, M::Single, Qt::Key_Question, "help");
    row("single: Shift+?", false, M::Single, Qt::SHIFT | Qt::Key_Question, "help");
    row("single: F1", false, M::Single, Qt::Key_F1, "help");
    row("single: g", false, M::Single, Qt::Key_G, "grid");
    row("single: Left", false, M::Single, Qt::Key_Left, "lookback");
    row("single: Right", false, M::Single, Qt::Key_Right, "none");
    row("single: q", false, M::Single, Qt::Key_Q, "none");
    row("grid: Left", false, M::Grid, Qt::Key_Left, "move Left");
    row("grid: Down", false, M::Grid, Qt::Key_Down, "move Down");
    row("grid: Ctrl+5", false, M::Grid, Qt::CTRL | Qt::Key_5, "decide 5");
    row("grid: x", false, M::Grid, Qt::Key_X, "decide x");
    row("grid: a accepts the page", false, M::Grid, Qt::Key_A, "accept");
    row("grid: Space", false, M::Grid, Qt::Key_Space, "none");
    row("grid: Backspace", false, M::Grid, Qt::Key_Backspace, "none");
    row("grid: g", false, M::Grid, Qt::Key_G, "grid");
    row("grid: F1", false, M::Grid, Qt::Key_F1, "help");
    row("history: Esc", false, M::History, Qt::Key_Escape, "leave");
    row("history: Right", false, M::History, Qt::Key_Right, "newer");
    row("history: Left", false, M::History, Qt::Key_Left, "older");
    row("history: 7", false, M::History, Qt::Key_7, "decide 7");
    row("history: x", false, M::History, Qt::Key_X, "decide x");
    row("history: a", false, M::History, Qt::Key_A, "none");
    row("history: F1", false, M::History, Qt::Key_F1, "none");
    row("history: g", false, M::History, Qt::Key_G, "none");
    row("own keys, single: q", true, M::Single, Qt::Key_Q, "accept");
    row("own keys, single: a", true, M::Single, Qt::Key_A, "none");
    row("own keys, single: Return", true, M::Single, Qt::Key_Return, "accept");
    row("own keys, single: n", true, M::Single, Qt::Key_N, "decide x");
    row("own keys, single: x", true, M::Single, Qt::Key_X, "none");
    row("own keys, single: s", true, M::Single, Qt::Key_S, "skip");
    row("own keys, single: Space", true, M::Single, Qt::Key_Space, "none");
    row("own keys, single: u", true, M::Single, Qt::Key_U, "undo");
    row("own keys, single: Ctrl+Z", true, M::Single, Qt::CTRL | Qt::Key_Z, "none");
    row("own keys, single: Backspace", true, M::Single, Qt::Key_Backspace, "undo");
    row("own keys, single: h", true, M::Single, Qt::Key_H, "help");
    row("own keys, single: F1", true, M::Single, Qt::Key_F1, "help");
    row("own keys, single: m", true, M::Single, Qt::Key_M, "grid");
    row("own keys, single: g", true, M::Single, Qt::Key_G, "none");
    row("own keys, grid: n", true, M::Grid, Qt::Key_N, "decide x");
    row("own keys, grid: q", true, M::Grid, Qt::Key_Q, "accept");
    row("own keys, history: n", true, M::History, Qt::Key_N, "decide x");
    row("own keys, history: x", true, M::History, Qt::Key_X, "none");
}

void tst_AnnotateKeys::command()
{
    QFETCH(bool, ownKeys);
    QFETCH(int, mode);
    QFETCH(int, key);
    QFETCH(QString, expected);
    const ui::KeyMap keys = ownKeys ? remapped() : ui::KeyMap::load();
    QCOMPARE(keys.firstConflict(), QString());
    QCOMPARE(describe(ui::annotateCommand(keys, QKeyCombination::fromCombined(key),
                                          static_cast<ui::AnnotateMode>(mode))),
             expected);
}

void tst_AnnotateKeys::typedAheadKeepsTheStripsImages()
{
    const Command five{Command::Decide, storage::Label::fromDigit(5), Qt::Key_unknown};
    const Command skip{Command::Skip, std::nullopt, Qt::Key_unknown};
    ui::TypedAhead typed;
    const QList<qint64> strip{11, 12};
    typed.keep(five, true, strip);
    typed.keep(skip, true, strip);
    typed.keep(five, true, strip);  // past the strip's end
    typed.keep(five, false, strip); // nothing on its way
    QCOMPARE(typed.size(), 2);
    QCOMPARE(typed.refused(), 2);
    QVERIFY(!typed.takeFor(12)); // 11 comes first
    QVERIFY(typed.takeFor(11) == five);
    QVERIFY(typed.takeFor(12) == skip);
    QVERIFY(typed.isEmpty());
    QCOMPARE(typed.takeRefused(), 2);
    QCOMPARE(typed.refused(), 0);
}

void tst_AnnotateKeys::remappedKeysWork()
{
    ui::KeyMap keys = ui::KeyMap::load();
    keys.setKey(ui::KeyMap::Accept, QKeySequence(Qt::Key_J));
    keys.setKey(ui::KeyMap::NotADigit, QKeySequence(Qt::Key_N));
    keys.save();
    testing::TempWorkspace temp;
    const std::vector<qint64> ids = testing::addPredictedImages(*temp.workspace, {0.1, 0.2, 0.3});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy());
    const qint64 first = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_J); // accept, remapped from a
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != first);
    const qint64 second = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_X); // no longer "not a digit"
    QCOMPARE(view.currentImageId(), second);
    QTest::keyClick(&view, Qt::Key_N);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != second);
    const QSqlDatabase db = temp.workspace->db();
    QCOMPARE(testing::standingLabel(db, first),
             QString::number((std::find(ids.begin(), ids.end(), first) - ids.begin()) % 10));
    QCOMPARE(testing::standingLabel(db, second), QStringLiteral("x"));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("help"))
                ->text()
                .contains(QStringLiteral("J or Enter")));
}

void tst_AnnotateKeys::typingAheadWhatTheStripShowsLabelsThoseImages()
{
    testing::TempWorkspace temp;
    std::vector<double> confidences;
    for (int i = 0; i < 80; ++i) {
        confidences.push_back(0.3 + 0.008 * ((i * 37) % 80)); // queue order differs from ids
    }
    testing::addPredictedImages(*temp.workspace, confidences);
    const auto bob =
        testing::addUser(*temp.workspace, QStringLiteral("bob"), annotation::Role::Annotator);
    const auto rui =
        testing::addUser(*temp.workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    std::vector<qint64> gold;
    annotation::AnnotationService bobQueue(temp.workspace->db());
    annotation::ReviewService review(temp.workspace->db());
    for (int i = 0; i < 3; ++i) {
        const auto item = bobQueue.next(bob);
        bobQueue.label(bob, item->imageId, storage::Label::fromDigit(4), 100);
        review.approveAsGold(rui, item->imageId);
        gold.push_back(item->imageId);
    }
    // Audit items (every 4th decision) and gold items (every 5th) between the uncertain ones:
    // they used to be missing from the strip, so typing what it showed misplaced labels.
    storage::SettingsRepository settings(temp.workspace->db());
    settings.setValue(QStringLiteral("queue.high_confidence_share"), QStringLiteral("0.25"));
    settings.setValue(QStringLiteral("queue.gold_share"), QStringLiteral("0.2"));
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();

    std::vector<qint64> seen;
    for (int round = 0; round < 4; ++round) {
        QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy() &&
                    view.upcomingImageIds().size() == ui::AnnotationWorker::StripLength);
        QList<qint64> sequence{view.currentImageId()};
        sequence += view.upcomingImageIds();
        // What a fast annotator does: read the image and the strip, type them in one go.
        for (qint64 image : sequence) {
            QTest::keyClick(&view, static_cast<Qt::Key>(Qt::Key_0 + image % 10));
        }
        QTRY_VERIFY(!view.isBusy() && !sequence.contains(view.currentImageId()));
        seen.insert(seen.end(), sequence.begin(), sequence.end());
    }
    const QSqlDatabase db = temp.workspace->db();
    for (qint64 image : seen) {
        storage::SqlQuery query(db,
                                QStringLiteral("SELECT label FROM labels WHERE image_id = :image"
                                               " AND annotator_id = :ana AND retracted_at IS NULL"),
                                QStringLiteral("test"));
        query.bindAll({{QStringLiteral(":image"), image}, {QStringLiteral(":ana"), ana.userId}});
        query.exec();
        QVERIFY2(query.next(), qPrintable(QStringLiteral("image %1 has no label").arg(image)));
        QCOMPARE(query.value(0).toLongLong(), image % 10);
    }
    QCOMPARE(seen.size(), 36u);
    QVERIFY2(std::find_first_of(seen.begin(), seen.end(), gold.begin(), gold.end()) != seen.end(),
             "gold items appear in the strip like any other");
}

void tst_AnnotateKeys::keysTypedPastTheStripAreRefused()
{
    testing::TempWorkspace temp;
    testing::addPredictedImages(*temp.workspace, {0.2, 0.3, 0.4});
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy() && view.upcomingImageIds().size() == 2);
    // Three images on screen (one large, two in the strip), five keys: the last two would land
    // on images nobody has seen, so they are not used.
    for (Qt::Key key : {Qt::Key_1, Qt::Key_2, Qt::Key_3, Qt::Key_4, Qt::Key_5}) {
        QTest::keyClick(&view, key);
    }
    const QLabel *message = view.findChild<QLabel *>(QStringLiteral("message"));
    QTRY_VERIFY2(message->text().contains(QStringLiteral("2 key(s) typed ahead were not used")),
                 qPrintable(message->text()));
    QVERIFY(!view.isBusy() && view.currentImageId() == 0);
    const QSqlDatabase db = temp.workspace->db();
    QCOMPARE(testing::scalar(db, QStringLiteral("SELECT COUNT(*) FROM labels")), 3);
    QCOMPARE(
        testing::scalar(db, QStringLiteral("SELECT COUNT(*) FROM labels WHERE label IN (4, 5)")),
        0);
}

void tst_AnnotateKeys::acceptOnAnImageWithoutAnswerDoesNotStallTypedKeys()
{
    testing::TempWorkspace temp;
    {
        storage::ImageRepository images(temp.workspace->db());
        for (int i = 0; i < 4; ++i) {
            storage::NewImage image;
            image.pixels = testing::ringPixels(100 + i);
            image.sha256 = storage::BlobStore::digestOf(image.pixels);
            image.source = QStringLiteral("fixture");
            images.insert(image, {QStringLiteral("test"), 0, 0});
        }
    }
    const auto ana =
        testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    ui::AnnotateView view(*temp.workspace, ana);
    view.show();
    QTRY_VERIFY(view.currentImageId() > 0 && !view.isBusy() && view.upcomingImageIds().size() == 3);
    // 1, then Enter (accept) on an image the model has not seen, then 2: the Enter does
    // nothing, and the 2 is not applied to an image it was not typed for.
    QTest::keyClick(&view, Qt::Key_1);
    QTest::keyClick(&view, Qt::Key_Return);
    QTest::keyClick(&view, Qt::Key_2);
    QTRY_VERIFY(!view.isBusy());
    const QSqlDatabase db = temp.workspace->db();
    QCOMPARE(testing::scalar(db, QStringLiteral("SELECT COUNT(*) FROM labels")), 1);
    // The view is not stuck: the next digit labels the image on screen.
    const qint64 onScreen = view.currentImageId();
    QTest::keyClick(&view, Qt::Key_7);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() != onScreen);
    QCOMPARE(testing::standingLabel(db, onScreen), QStringLiteral("7"));
}

QTEST_MAIN(tst_AnnotateKeys)
#include "tst_annotatekeys.moc"
