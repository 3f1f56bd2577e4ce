#pragma once

// The real binary on a real X server (Xvfb), driven with xdotool as a person would: keys typed
// into the focused window, what is on screen read back from screenshots. Shared by the
// end-to-end suites (tst_desktope2e: sessions and settings; tst_desktope2ework: the work).

#include "annotation/role.h"
#include "storage/sqlquery.h"
#include "tests/support/screenimages.h"
#include "tests/support/testdata.h"
#include "tests/support/xdesktop.h"

#include <QHash>
#include <QProcess>
#include <QTest>

#include <memory>

namespace digitdesk::testing::desktop {

inline const QString Password = QStringLiteral("correct horse");
inline const QString LoginTitle = QStringLiteral("^DigitDesk: log in$");
inline const QString MainTitle = QStringLiteral("^DigitDesk — ");
inline const QString LockTitle = QStringLiteral("^DigitDesk: locked$");
constexpr int StripLength = 8;

inline QVariant value(const QSqlDatabase &db, const QString &sql, const QVariantMap &bindings = {})
{
    storage::SqlQuery query(db, sql, QStringLiteral("e2e check"));
    for (auto it = bindings.cbegin(); it != bindings.cend(); ++it) {
        query.bind(it.key(), it.value());
    }
    query.exec();
    return query.next() ? query.value(0) : QVariant();
}

inline qint64 count(const QSqlDatabase &db, const QString &sql, const QVariantMap &bindings = {})
{
    return value(db, sql, bindings).toLongLong();
}

// The image shown large (the one to label), read off the screen: drawn at some whole
// multiple of 28 pixels, larger than the strip's.
inline qint64 imageShownLarge(const QImage &screen, const QHash<qint64, QByteArray> &images)
{
    for (int factor = 24; factor >= 3; --factor) {
        const auto found = testing::findImagesOnScreen(screen, images, factor);
        if (!found.empty()) {
            return found.front().imageId;
        }
    }
    return 0;
}

// A test class's base: the X server for the whole suite, a fresh workspace with ana (annotator),
// rui (reviewer), eve (ML engineer) and ada (admin) for each test, and the application.
class DesktopE2EFixture : public QObject
{
protected:
    // From initTestCase, init and cleanup.
    void startDesktop()
    {
        m_x = std::make_unique<testing::XDesktop>();
        QVERIFY2(m_x->startError().isEmpty(), qPrintable(m_x->startError()));
    }
    void createWorkspace()
    {
        m_temp = std::make_unique<testing::TempWorkspace>();
        testing::addUser(*m_temp->workspace, QStringLiteral("ana"), annotation::Role::Annotator);
        testing::addUser(*m_temp->workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
        testing::addUser(*m_temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
        testing::addUser(*m_temp->workspace, QStringLiteral("ada"), annotation::Role::Admin);
    }
    void stopApp()
    {
        if (m_app && m_app->state() != QProcess::NotRunning) {
            m_app->kill();
            m_app->waitForFinished(5000);
        }
        if (m_app && QTest::currentTestFailed()) {
            qWarning("application output:\n%s", m_app->readAll().constData());
        }
        m_app.reset();
        m_temp.reset();
    }

    void startApp()
    {
        m_app = std::make_unique<QProcess>();
        m_app->setProcessEnvironment(m_x->environment());
        m_app->setProcessChannelMode(QProcess::MergedChannels);
        m_app->start(QStringLiteral(DIGITDESK_BINARY),
                     {QStringLiteral("--workspace"), m_temp->workspace->root()});
        QVERIFY2(m_app->waitForStarted(10000), "digitdesk did not start");
    }
    // Logs in through the login dialog; returns the main window's id.
    qulonglong logIn(const QString &name, bool nameFilledIn = false)
    {
        const qulonglong dialog = m_x->waitForWindow(LoginTitle);
        if (dialog == 0 || !m_x->focus(dialog)) {
            return 0;
        }
        if (!nameFilledIn) {
            m_x->type(name);
            m_x->keys({QStringLiteral("Tab")});
        }
        m_x->type(Password);
        m_x->keys({QStringLiteral("Return")});
        const qulonglong window = m_x->waitForWindow(MainTitle);
        if (window != 0) {
            m_x->settledScreenshot(); // the first view has what it shows
            m_x->focus(window);
        }
        return window;
    }

    // Waits for the application to exit by itself; true when it exited cleanly with 0.
    bool waitForExit(int timeoutMs = 20000)
    {
        const bool ended = m_app->waitForFinished(timeoutMs);
        const bool clean =
            ended && m_app->exitStatus() == QProcess::NormalExit && m_app->exitCode() == 0;
        if (!clean) {
            qWarning("digitdesk %s; its output:\n%s",
                     ended ? qPrintable(QStringLiteral("exited with %1").arg(m_app->exitCode()))
                           : "is still running",
                     m_app->readAll().constData());
        }
        return clean;
    }
    QSqlDatabase db() const { return m_temp->workspace->db(); }

    std::unique_ptr<testing::XDesktop> m_x;
    std::unique_ptr<testing::TempWorkspace> m_temp;
    std::unique_ptr<QProcess> m_app;
};

} // namespace digitdesk::testing::desktop
