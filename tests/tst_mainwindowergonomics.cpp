#include "annotation/authservice.h"
#include "models/computedevice.h"
#include "storage/sqlquery.h"
#include "tests/support/eventloopgaps.h"
#include "tests/support/renderedcontrast.h"
#include "tests/support/testdata.h"
#include "ui/aboutdialog.h"
#include "ui/appearance.h"
#include "ui/desktopsession.h"
#include "ui/lockdialog.h"
#include "ui/logindialog.h"
#include "ui/mainwindow.h"
#include "ui/reviewview.h"
#include "ui/workspacechooserdialog.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStyle>
#include <QTest>
#include <QTimer>

#include <git2/common.h>
#include <opencv2/core/utility.hpp>
#include <sqlite3.h>

using namespace digitdesk;

namespace {

const QString Password = QStringLiteral("correct horse");

qint64 scalar(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

QString text(const QSqlDatabase &db, const QString &sql)
{
    storage::SqlQuery query(db, sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toString() : QString();
}

// Runs `act` on the first visible modal dialog of type D, from inside its own event loop.
template <typename D, typename Act> void whenModalSoon(Act act)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, act] {
        auto *dialog = qobject_cast<D *>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible()) {
            return;
        }
        poll->stop();
        poll->deleteLater();
        act(dialog);
    });
    poll->start(20);
}

void answerLoginSoon(const QString &name)
{
    whenModalSoon<ui::LoginDialog>([name](ui::LoginDialog *login) {
        login->findChild<QLineEdit *>(QStringLiteral("userName"))->setText(name);
        auto *password = login->findChild<QLineEdit *>(QStringLiteral("password"));
        QTest::keyClicks(password, Password);
        QTest::keyClick(password, Qt::Key_Return);
    });
}

QAction *action(const QWidget *window, const QString &name)
{
    return window->findChild<QAction *>(name);
}

void clickView(ui::MainWindow *window, const QString &name)
{
    auto *nav = window->findChild<QListWidget *>(QStringLiteral("navigation"));
    const auto found = nav->findItems(name, Qt::MatchExactly);
    QVERIFY(!found.isEmpty());
    QTest::mouseClick(nav->viewport(), Qt::LeftButton, {},
                      nav->visualItemRect(found.first()).center());
    QCOMPARE(window->currentViewName(), name);
}

} // namespace

// The main window's ergonomics: what its title says, where it reopens, how a person leaves a
// workspace for another, what About says is running, and light and dark palettes.
class tst_MainWindowErgonomics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void titleNamesTheWorkspaceAndTheUser();
    void windowStateIsRestoredPerUser();
    void switchWorkspaceEndsTheSessionAndOpensTheOther();
    void aboutShowsTheRuntimeVersions();
    void darkAppearanceKeepsNoticesLegible();

private:
    std::unique_ptr<ui::DesktopSession> startSession(const QString &name);
    annotation::Principal logIn(const QString &name);

    std::unique_ptr<testing::TempWorkspace> m_temp;
};

void tst_MainWindowErgonomics::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("DigitDeskTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindowergonomics"));
    QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7-test"));
    QApplication::setQuitOnLastWindowClosed(false);
}

void tst_MainWindowErgonomics::init()
{
    QSettings().clear();
    ui::applyAppearance(ui::Appearance::FollowDesktop);
    m_temp = std::make_unique<testing::TempWorkspace>();
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9});
    testing::addUser(*m_temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
    testing::addUser(*m_temp->workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    testing::addUser(*m_temp->workspace, QStringLiteral("rita"), annotation::Role::Reviewer);
}

void tst_MainWindowErgonomics::cleanup()
{
    m_temp.reset();
    QSettings().clear();
    ui::applyAppearance(ui::Appearance::FollowDesktop);
}

std::unique_ptr<ui::DesktopSession> tst_MainWindowErgonomics::startSession(const QString &name)
{
    auto session = std::make_unique<ui::DesktopSession>(m_temp->workspace->root());
    answerLoginSoon(name);
    if (!session->start()) {
        return nullptr;
    }
    return session;
}

annotation::Principal tst_MainWindowErgonomics::logIn(const QString &name)
{
    return annotation::AuthService(m_temp->workspace->db())
        .login(name, Password, QStringLiteral("gui"))
        .principal;
}

void tst_MainWindowErgonomics::titleNamesTheWorkspaceAndTheUser()
{
    auto session = startSession(QStringLiteral("ana"));
    QVERIFY(session);
    ui::MainWindow *window = session->window();
    QCOMPARE(window->windowTitle(), QStringLiteral("DigitDesk — ws — ana (annotator)"));
    auto *where = window->findChild<QLabel *>(QStringLiteral("currentWorkspace"));
    QVERIFY(where && where->isVisible());
    QCOMPARE(where->text(), QStringLiteral("ws"));
    QCOMPARE(where->toolTip(), QDir::toNativeSeparators(m_temp->workspace->root()));
    session.reset();

    // A long user name keeps both ends, and the title stays short enough for a title bar.
    const QString longName = QStringLiteral("annotator-") + QString(42, QLatin1Char('x')) +
                             QStringLiteral("-night-shift");
    testing::addUser(*m_temp->workspace, longName, annotation::Role::Annotator);
    ui::MainWindow longWindow(*m_temp->workspace, logIn(longName));
    const QString title = longWindow.windowTitle();
    QVERIFY2(title.size() < 80, qPrintable(title));
    QVERIFY2(title.contains(QStringLiteral("annotator-xxx")) &&
                 title.contains(QStringLiteral("night-shift (annotator)")) &&
                 title.contains(QChar(0x2026)),
             qPrintable(title));
}

void tst_MainWindowErgonomics::windowStateIsRestoredPerUser()
{
    auto session = startSession(QStringLiteral("rui"));
    QVERIFY(session);
    ui::MainWindow *window = session->window();
    QCOMPARE(window->currentViewName(), QStringLiteral("Annotate"));
    const QSize defaultSize = window->size();
    clickView(window, QStringLiteral("Datasets"));
    const QSize chosen(defaultSize.width() - 120, defaultSize.height() - 90);
    window->resize(chosen);
    QTRY_COMPARE(window->size(), chosen);
    // The layouts inside follow the new size before the splitter is moved.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    QSplitter *splitter = nullptr;
    for (QSplitter *candidate : window->findChildren<QSplitter *>()) {
        if (candidate->isVisible() && candidate->sizes().size() == 2) {
            splitter = candidate;
            break;
        }
    }
    QVERIFY2(splitter, "the Datasets view shows a splitter");
    QVERIFY(!splitter->objectName().isEmpty());
    const int total = splitter->sizes().value(0) + splitter->sizes().value(1);
    splitter->setSizes({total / 4, total - total / 4});
    const QList<int> moved = splitter->sizes();
    const QString splitterName = splitter->objectName();

    // rui logs out; rita, a reviewer too, opens on her own defaults.
    answerLoginSoon(QStringLiteral("rita"));
    action(window, QStringLiteral("logout"))->trigger();
    QTRY_VERIFY(session->window() && session->principal().name == QStringLiteral("rita"));
    window = session->window();
    QCOMPARE(window->currentViewName(), QStringLiteral("Annotate"));
    QCOMPARE(window->size(), defaultSize);
    clickView(window, QStringLiteral("Review"));

    // rui again: the Datasets view, the size and the splitter as he left them.
    answerLoginSoon(QStringLiteral("rui"));
    action(window, QStringLiteral("logout"))->trigger();
    QTRY_VERIFY(session->window() && session->principal().name == QStringLiteral("rui"));
    window = session->window();
    QCOMPARE(window->currentViewName(), QStringLiteral("Datasets"));
    QCOMPARE(window->size(), chosen);
    auto *restored = window->findChild<QSplitter *>(splitterName);
    QVERIFY(restored);
    QTRY_COMPARE(restored->sizes(), moved);

    // And rita finds Review, where she left it.
    answerLoginSoon(QStringLiteral("rita"));
    action(window, QStringLiteral("logout"))->trigger();
    QTRY_VERIFY(session->window() && session->principal().name == QStringLiteral("rita"));
    QCOMPARE(session->window()->currentViewName(), QStringLiteral("Review"));
    QCOMPARE(session->window()->size(), defaultSize);
}

void tst_MainWindowErgonomics::switchWorkspaceEndsTheSessionAndOpensTheOther()
{
    testing::TempWorkspace other;
    testing::addUser(*other.workspace, QStringLiteral("bo"), annotation::Role::Reviewer);
    auto session = startSession(QStringLiteral("ana"));
    QVERIFY(session);
    const QSqlDatabase first = m_temp->workspace->db();
    QTRY_VERIFY(scalar(first, QStringLiteral("SELECT COUNT(*) FROM leases")) > 0);

    // Cancelling the chooser changes nothing: ana's session and window stay.
    ui::MainWindow *before = session->window();
    bool rejected = false;
    whenModalSoon<ui::WorkspaceChooserDialog>([&rejected](ui::WorkspaceChooserDialog *chooser) {
        chooser->reject();
        rejected = true;
    });
    action(session->window(), QStringLiteral("switchWorkspace"))->trigger();
    QTRY_VERIFY(rejected && !QApplication::activeModalWidget());
    QCOMPARE(session->window(), before);
    QCOMPARE(session->principal().name, QStringLiteral("ana"));
    QVERIFY(scalar(first, QStringLiteral("SELECT COUNT(*) FROM leases")) > 0);

    // File > Switch workspace…: the chooser, "Open a workspace…", the folder, then bo's login.
    const QString otherRoot = other.workspace->root();
    whenModalSoon<ui::WorkspaceChooserDialog>([otherRoot](ui::WorkspaceChooserDialog *chooser) {
        whenModalSoon<QFileDialog>([otherRoot](QFileDialog *files) {
            files->setDirectory(otherRoot);
            auto *buttons = files->findChild<QDialogButtonBox *>();
            QPushButton *choose = buttons ? buttons->button(QDialogButtonBox::Open) : nullptr;
            if (choose) {
                QTest::mouseClick(choose, Qt::LeftButton);
            } else {
                QMetaObject::invokeMethod(files, "accept");
            }
        });
        QTest::mouseClick(chooser->findChild<QPushButton *>(QStringLiteral("openOther")),
                          Qt::LeftButton);
    });
    answerLoginSoon(QStringLiteral("bo"));
    action(session->window(), QStringLiteral("switchWorkspace"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(session->window() && session->principal().name == QStringLiteral("bo"),
                             15000);

    ui::MainWindow *window = session->window();
    QCOMPARE(window->findChild<QLabel *>(QStringLiteral("currentWorkspace"))->toolTip(),
             QDir::toNativeSeparators(otherRoot));
    QCOMPARE(window->windowTitle(), QStringLiteral("DigitDesk — ws — bo (reviewer)"));
    // ana's session in the first workspace ended as a logout does: no lease is left behind.
    QCOMPARE(scalar(first, QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
    QCOMPARE(text(first, QStringLiteral("SELECT end_reason FROM login_sessions s JOIN users u ON"
                                        " u.id = s.user_id WHERE u.name = 'ana'")),
             QStringLiteral("switch workspace"));
    QCOMPARE(scalar(other.workspace->db(),
                    QStringLiteral("SELECT COUNT(*) FROM login_sessions s JOIN users u ON"
                                   " u.id = s.user_id WHERE u.name = 'bo' AND"
                                   " s.ended_at IS NULL")),
             1);
    QCOMPARE(QSettings().value(QStringLiteral("workspace/last")).toString(), otherRoot);
    session.reset();
}

void tst_MainWindowErgonomics::aboutShowsTheRuntimeVersions()
{
    ui::MainWindow window(*m_temp->workspace, logIn(QStringLiteral("ana")));
    window.show();
    testing::EventLoopGaps gaps;
    QElapsedTimer clock;
    clock.start();
    action(&window, QStringLiteral("about"))->trigger();
    auto *about = window.findChild<ui::AboutDialog *>();
    QVERIFY(about && about->isVisible());
    const qint64 openedMs = clock.elapsed();
    // Up at once, LibTorch's rows still to come.
    QCOMPARE(about->value(QStringLiteral("libtorch")), QStringLiteral("loading…"));
    QTRY_VERIFY_WITH_TIMEOUT(!about->isLoading(), 60000);
    const qint64 loadedMs = clock.elapsed();
    gaps.stop();

    QCOMPARE(about->value(QStringLiteral("digitdesk")), QStringLiteral("9.8.7-test"));
    QCOMPARE(about->value(QStringLiteral("qt")), QString::fromLatin1(qVersion()));
    QCOMPARE(about->value(QStringLiteral("sqlite")), QString::fromLatin1(sqlite3_libversion()));
    int major = 0;
    int minor = 0;
    int revision = 0;
    git_libgit2_version(&major, &minor, &revision);
    QCOMPARE(about->value(QStringLiteral("libgit2")),
             QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(revision));
    QCOMPARE(about->value(QStringLiteral("opencv")),
             QString::fromStdString(cv::getVersionString()));
    const models::RuntimeInfo runtime = models::runtimeInfo();
    QCOMPARE(about->value(QStringLiteral("libtorch")), runtime.torchVersion);
    QCOMPARE(about->value(QStringLiteral("threads")), QString::number(runtime.intraOpThreads));
    QCOMPARE(about->value(QStringLiteral("device")),
             models::chooseDevice(models::DeviceRequest::Auto).description);
    const bool onServer = m_temp->workspace->databasePath().contains(QStringLiteral("://"));
    QCOMPARE(about->findChild<QLabel *>(QStringLiteral("version_server"))->isVisibleTo(about),
             onServer);
    if (onServer) {
        QVERIFY2(about->value(QStringLiteral("server")).startsWith(QStringLiteral("PostgreSQL ")),
                 qPrintable(about->value(QStringLiteral("server"))));
    }
    QVERIFY(about->text().contains(QStringLiteral("LibTorch: %1").arg(runtime.torchVersion)));
    qInfo("About: open after %lld ms, versions filled in after %lld ms, longest event-loop "
          "stall meanwhile %lld ms",
          openedMs, loadedMs, gaps.longestMs());
    // Loading LibTorch (about half a second) happened off the GUI thread.
    QVERIFY2(gaps.longestMs() < 250, qPrintable(QString::number(gaps.longestMs())));
}

void tst_MainWindowErgonomics::darkAppearanceKeepsNoticesLegible()
{
    auto session = startSession(QStringLiteral("rui"));
    QVERIFY(session);
    QPointer<ui::MainWindow> light = session->window();
    light->show();
    clickView(light, QStringLiteral("Review"));
    const QString folder = qEnvironmentVariable("DIGITDESK_SCREENSHOTS");
    if (!folder.isEmpty()) {
        light->grab().save(folder + QStringLiteral("/mainwindow-light.png"));
    }
    // The red every notice used before: unreadable on the dark palette, so the test has teeth.
    QVERIFY(testing::contrastRatio(QColor(0xb0, 0x00, 0x20),
                                   ui::darkPalette().color(QPalette::Window)) < 4.5);

    // View > Appearance > Dark: Fusion with the dark palette, the window built again in it and
    // reopened on the same view.
    action(light, QStringLiteral("appearance_dark"))->trigger();
    QTRY_VERIFY(light.isNull() && session->window());
    ui::MainWindow *window = session->window();
    window->show();
    QVERIFY(ui::isDark(QApplication::palette()));
    QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
    QVERIFY(ui::savedAppearance() == ui::Appearance::Dark);
    QCOMPARE(window->currentViewName(), QStringLiteral("Review"));
    QVERIFY(action(window, QStringLiteral("appearance_dark"))->isChecked());

    // The review view's help (F1), a notice on its own background.
    ui::ReviewView *review = window->reviewView();
    review->setFocus();
    QTest::keyClick(review, Qt::Key_F1);
    QList<QLabel *> checked;
    for (QLabel *label : review->findChildren<QLabel *>()) {
        if (label->isVisible() && !label->styleSheet().isEmpty() &&
            label->styleSheet().contains(QStringLiteral("d4b106"))) {
            checked << label;
        }
    }
    QCOMPARE(checked.size(), 1);
    if (!folder.isEmpty()) {
        window->grab().save(folder + QStringLiteral("/mainwindow-dark.png"));
    }
    QString what;
    const double help = testing::renderedContrast(checked.front(), &what);
    QVERIFY2(help >= 4.5, qPrintable(what));

    // The login screen's reason, in the error tone, on the dialog's dark window.
    ui::LoginDialog login(
        [](const QString &, const QString &) {
            annotation::LoginResult result;
            result.status = annotation::LoginResult::Status::WrongCredentials;
            result.message = QStringLiteral("Wrong user name or password.");
            return result;
        },
        m_temp->workspace->root());
    login.show();
    QVERIFY(QTest::qWaitForWindowExposed(&login));
    login.findChild<QLineEdit *>(QStringLiteral("userName"))->setText(QStringLiteral("rui"));
    auto *password = login.findChild<QLineEdit *>(QStringLiteral("password"));
    QTest::keyClicks(password, QStringLiteral("wrong"));
    QTest::keyClick(password, Qt::Key_Return);
    auto *message = login.findChild<QLabel *>(QStringLiteral("message"));
    QCOMPARE(message->text(), QStringLiteral("Wrong user name or password."));
    if (!folder.isEmpty()) {
        login.grab().save(folder + QStringLiteral("/login-dark.png"));
    }
    const double loginContrast = testing::renderedContrast(message, &what);
    QVERIFY2(loginContrast >= 4.5, qPrintable(what));

    // The chooser's problem line and the lock screen's message, the same way.
    ui::WorkspaceChooserDialog chooser(QStringLiteral("/nonexistent"),
                                       QStringLiteral("Cannot open /srv/gone: no such folder"));
    chooser.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chooser));
    const double problem =
        testing::renderedContrast(chooser.findChild<QLabel *>(QStringLiteral("problem")), &what);
    QVERIFY2(problem >= 4.5, qPrintable(what));

    ui::LockDialog lock(QStringLiteral("rui"), 15, [](const QString &) {
        annotation::LoginResult result;
        result.status = annotation::LoginResult::Status::WrongCredentials;
        result.message = QStringLiteral("Wrong password.");
        return result;
    });
    lock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&lock));
    auto *lockPassword = lock.findChild<QLineEdit *>(QStringLiteral("password"));
    QTest::keyClicks(lockPassword, QStringLiteral("wrong"));
    QTest::keyClick(lockPassword, Qt::Key_Return);
    const double locked =
        testing::renderedContrast(lock.findChild<QLabel *>(QStringLiteral("message")), &what);
    QVERIFY2(locked >= 4.5, qPrintable(what));
    qInfo("dark: help %.1f:1, login %.1f:1, chooser %.1f:1, lock %.1f:1", help, loginContrast,
          problem, locked);

    // Back to following the desktop: the light palette again, remembered as such.
    QPointer<ui::MainWindow> dark = window;
    action(window, QStringLiteral("appearance_desktop"))->trigger();
    QTRY_VERIFY(dark.isNull() && session->window());
    QVERIFY(!ui::isDark(QApplication::palette()));
    QVERIFY(ui::savedAppearance() == ui::Appearance::FollowDesktop);
}

QTEST_MAIN(tst_MainWindowErgonomics)
#include "tst_mainwindowergonomics.moc"
