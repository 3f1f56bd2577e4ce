#include "ui/keymap.h"
#include "ui/keysettingsdialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace digitdesk;
using ui::KeyMap;

Q_DECLARE_METATYPE(ui::KeyMap::Action)

class tst_KeyMap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void conflict_data();
    void conflict();
    void keysText_data();
    void keysText();
    void loadDropsStoredConflicts();
    void dialogRefusesAConflictUntilItIsResolved();
    void savedKeysStayInTheTestsOwnSettings();
};

void tst_KeyMap::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDeskKeyMapTest"));
}

void tst_KeyMap::cleanup()
{
    QSettings().remove(QStringLiteral("keys"));
}

void tst_KeyMap::conflict_data()
{
    QTest::addColumn<KeyMap::Action>("action");
    QTest::addColumn<QKeySequence>("key");
    QTest::addColumn<QString>("expected"); // empty: the key may be given

    const auto row = [](const char *name, KeyMap::Action action, const QKeySequence &key,
                        const QString &expected) {
        QTest::newRow(name) << action << key << expected;
    };
    // Taken by another action.
    row("accept on x", KeyMap::Accept, QKeySequence(Qt::Key_X),
        QStringLiteral("X is already 'Not a digit'"));
    row("grid on space", KeyMap::Grid, QKeySequence(Qt::Key_Space),
        QStringLiteral("Space is already 'Skip'"));
    row("not a digit on shift+a", KeyMap::NotADigit, QKeySequence(Qt::SHIFT | Qt::Key_A),
        QStringLiteral("Shift+A is already 'Accept'"));
    // Kept by the annotate view whatever the map says.
    row("skip on 5", KeyMap::Skip, QKeySequence(Qt::Key_5),
        QStringLiteral("5 is already 'Label 5'"));
    row("undo on backspace", KeyMap::Undo, QKeySequence(Qt::Key_Backspace),
        QStringLiteral("Backspace is already 'Undo'"));
    row("skip on backspace", KeyMap::Skip, QKeySequence(Qt::Key_Backspace),
        QStringLiteral("Backspace is already 'Undo'"));
    row("accept on return", KeyMap::Accept, QKeySequence(Qt::Key_Return),
        QStringLiteral("Return is already 'Accept'"));
    row("help on f1", KeyMap::Help, QKeySequence(Qt::Key_F1),
        QStringLiteral("F1 is already 'Show the keys'"));
    row("grid on left", KeyMap::Grid, QKeySequence(Qt::Key_Left),
        QStringLiteral("Left is already 'Look back through your labels'"));
    row("skip on down", KeyMap::Skip, QKeySequence(Qt::Key_Down),
        QStringLiteral("Down is already 'Move in the grid'"));
    row("skip on escape", KeyMap::Skip, QKeySequence(Qt::Key_Escape),
        QStringLiteral("Esc is already 'Stop looking back'"));
    // Free.
    row("accept keeps a", KeyMap::Accept, QKeySequence(Qt::Key_A), QString());
    row("skip on n", KeyMap::Skip, QKeySequence(Qt::Key_N), QString());
    row("skip on ctrl+5", KeyMap::Skip, QKeySequence(Qt::CTRL | Qt::Key_5),
        QStringLiteral("Ctrl+5 is already 'Label 5'"));
    row("undo on ctrl+y", KeyMap::Undo, QKeySequence(Qt::CTRL | Qt::Key_Y), QString());
    row("no key", KeyMap::Skip, QKeySequence(), QString());
}

void tst_KeyMap::conflict()
{
    QFETCH(KeyMap::Action, action);
    QFETCH(QKeySequence, key);
    QFETCH(QString, expected);
    const KeyMap defaults = KeyMap::load();
    QCOMPARE(defaults.firstConflict(), QString());
    QCOMPARE(defaults.conflict(action, key), expected);
    KeyMap changed = defaults;
    changed.setKey(action, key);
    QCOMPARE(changed.firstConflict().isEmpty(), expected.isEmpty());
}

void tst_KeyMap::keysText_data()
{
    QTest::addColumn<KeyMap::Action>("action");
    QTest::addColumn<QKeySequence>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("accept") << KeyMap::Accept << QKeySequence(Qt::Key_J)
                            << QStringLiteral("J or Enter");
    QTest::newRow("undo") << KeyMap::Undo << QKeySequence(Qt::CTRL | Qt::Key_Z)
                          << QStringLiteral("Ctrl+Z or Backspace");
    QTest::newRow("undo on backspace")
        << KeyMap::Undo << QKeySequence(Qt::Key_Backspace) << QStringLiteral("Backspace");
    QTest::newRow("accept on return")
        << KeyMap::Accept << QKeySequence(Qt::Key_Return) << QStringLiteral("Enter");
    QTest::newRow("undo unbound") << KeyMap::Undo << QKeySequence() << QStringLiteral("Backspace");
    QTest::newRow("help") << KeyMap::Help << QKeySequence(Qt::Key_Question)
                          << QStringLiteral("? or F1");
    QTest::newRow("skip") << KeyMap::Skip << QKeySequence(Qt::Key_Space) << QStringLiteral("Space");
}

void tst_KeyMap::keysText()
{
    QFETCH(KeyMap::Action, action);
    QFETCH(QKeySequence, key);
    QFETCH(QString, expected);
    KeyMap keys = KeyMap::load();
    keys.setKey(action, key);
    QCOMPARE(keys.keysText(action), expected);
}

void tst_KeyMap::loadDropsStoredConflicts()
{
    // As an older DigitDesk could save them: accept on x, skip on 5, undo on Backspace.
    QSettings settings;
    settings.setValue(QStringLiteral("keys/accept"), QStringLiteral("X"));
    settings.setValue(QStringLiteral("keys/skip"), QStringLiteral("5"));
    settings.setValue(QStringLiteral("keys/undo"), QStringLiteral("Backspace"));
    settings.setValue(QStringLiteral("keys/grid"), QStringLiteral("J"));
    settings.sync();
    const KeyMap keys = KeyMap::load();
    QCOMPARE(keys.firstConflict(), QString());
    QCOMPARE(keys.key(KeyMap::Accept), QKeySequence(Qt::Key_X)); // the first to claim it
    QCOMPARE(keys.key(KeyMap::NotADigit), QKeySequence());       // its default X is taken
    QCOMPARE(keys.key(KeyMap::Skip), QKeySequence(Qt::Key_Space));
    QCOMPARE(keys.key(KeyMap::Undo), QKeySequence(Qt::CTRL | Qt::Key_Z));
    QCOMPARE(keys.key(KeyMap::Grid), QKeySequence(Qt::Key_J));
}

void tst_KeyMap::dialogRefusesAConflictUntilItIsResolved()
{
    ui::KeySettingsDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *accept = dialog.findChild<QKeySequenceEdit *>(QStringLiteral("accept"));
    auto *skip = dialog.findChild<QKeySequenceEdit *>(QStringLiteral("skip"));
    const auto *message = dialog.findChild<QLabel *>(QStringLiteral("conflict"));
    QPushButton *save = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save);
    QVERIFY(accept && skip && message && save);
    QVERIFY(save->isEnabled());
    QVERIFY(!message->isVisible());

    // An edit reports its key when recording ends, a second after the last key.
    const auto type = [](QKeySequenceEdit *edit, Qt::Key key) {
        QSignalSpy finished(edit, &QKeySequenceEdit::editingFinished);
        QTest::keyClick(edit, key);
        return finished.wait();
    };
    QVERIFY(type(accept, Qt::Key_X));
    QCOMPARE(message->text(), QStringLiteral("X is already 'Not a digit'"));
    QVERIFY(message->isVisible());
    QCOMPARE(message->textFormat(), Qt::PlainText);
    QVERIFY(!save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QCOMPARE(QSettings().value(QStringLiteral("keys/accept")), QVariant());

    // Another key resolves it; Skip on 5 is refused next, and set back to Space.
    QVERIFY(type(accept, Qt::Key_J));
    QVERIFY(save->isEnabled());
    QVERIFY(!message->isVisible());
    QVERIFY(type(skip, Qt::Key_5));
    QCOMPARE(message->text(), QStringLiteral("5 is already 'Label 5'"));
    QVERIFY(!save->isEnabled());
    QVERIFY(type(skip, Qt::Key_Space));
    QVERIFY(save->isEnabled());

    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const KeyMap saved = KeyMap::load();
    QCOMPARE(saved.key(KeyMap::Accept), QKeySequence(Qt::Key_J));
    QCOMPARE(saved.key(KeyMap::Skip), QKeySequence(Qt::Key_Space));
    QCOMPARE(saved.key(KeyMap::NotADigit), QKeySequence(Qt::Key_X));
}

// Every suite runs in QStandardPaths' test mode (tests/support/testmode.cpp): what a test saves
// goes under ~/.qttest, never into the settings of the person running it.
void tst_KeyMap::savedKeysStayInTheTestsOwnSettings()
{
    QVERIFY(QStandardPaths::isTestModeEnabled());
    const QString testConfig =
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    QStandardPaths::setTestModeEnabled(false);
    const QString realConfig =
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(testConfig.contains(QStringLiteral(".qttest")), qPrintable(testConfig));

    KeyMap keys = KeyMap::load();
    keys.setKey(KeyMap::Grid, QKeySequence(Qt::Key_J));
    keys.save();
    QSettings settings;
    settings.sync();
    QVERIFY2(settings.fileName().startsWith(testConfig + QLatin1Char('/')),
             qPrintable(settings.fileName()));
    QVERIFY2(!settings.fileName().startsWith(realConfig + QLatin1Char('/')),
             qPrintable(settings.fileName()));
    QFile file(settings.fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("grid=J"));
    QCOMPARE(KeyMap::load().key(KeyMap::Grid), QKeySequence(Qt::Key_J));
}

QTEST_MAIN(tst_KeyMap)
#include "tst_keymap.moc"
