#include "annotation/userservice.h"
#include "storage/storageerror.h"
#include "tests/support/testfiles.h"
#include "ui/useradministration.h"
#include "ui/usersview.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSemaphore>
#include <QTableView>
#include <QTest>

#include <atomic>
#include <memory>

using namespace digitdesk;

namespace {

// What the test sees of the service, which the view makes on its worker thread.
struct Calls
{
    std::atomic<int> listed{0};
    std::atomic<int> added{0};
    // While set, adding a user waits for `release` (at most a bounded time), as a slow
    // database would.
    std::atomic<bool> hold{false};
    QSemaphore release;
};

// A user service that lists two users and refuses every change, as a database that cannot be
// written would: the admin must see why.
class RefusingUsers final : public ui::UserAdministration
{
public:
    explicit RefusingUsers(std::shared_ptr<Calls> calls) : m_calls(std::move(calls)) {}

    std::vector<annotation::UserSummary> listUsers(const annotation::Principal &) override
    {
        ++m_calls->listed;
        return {{QStringLiteral("ada"), annotation::Role::Admin, false, {}, {}},
                {QStringLiteral("bob"), annotation::Role::Annotator, false, {}, {}}};
    }
    void addUser(const annotation::Principal &, const QString &name, const QString &,
                 annotation::Role) override
    {
        ++m_calls->added;
        if (m_calls->hold) {
            m_calls->release.tryAcquire(1, 10'000 * testing::SanitizerTimeFactor);
        }
        throw storage::StorageError(
            QStringLiteral("adding user %1 failed: attempt to write a readonly database")
                .arg(name));
    }
    void setRole(const annotation::Principal &, const QString &, annotation::Role) override
    {
        throw annotation::InvalidRequest(QStringLiteral("not now"));
    }
    void setDisabled(const annotation::Principal &, const QString &, bool) override
    {
        throw annotation::InvalidRequest(QStringLiteral("not now"));
    }
    void changePassword(const annotation::Principal &, const QString &, const QString &) override
    {
        throw annotation::InvalidRequest(QStringLiteral("not now"));
    }

private:
    std::shared_ptr<Calls> m_calls;
};

annotation::Principal ada()
{
    annotation::Principal who;
    who.name = QStringLiteral("ada");
    who.role = annotation::Role::Admin;
    return who;
}

ui::UserAdministrationFactory refusingUsers(const std::shared_ptr<Calls> &calls)
{
    return [calls] {
        return std::make_unique<RefusingUsers>(calls);
    };
}

QString message(const ui::UsersView &view)
{
    return view.findChild<QLabel *>(QStringLiteral("message"))->text();
}

} // namespace

// The users view over a service given from outside (as MainWindow composes it).
class tst_UsersViewErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedCreateShowsTheReason();
    void slowChangeLeavesTheViewResponsive();
};

void tst_UsersViewErrors::refusedCreateShowsTheReason()
{
    const auto calls = std::make_shared<Calls>();
    ui::UsersView view(refusingUsers(calls), ada());
    view.show();
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(view.findChild<QTableView *>(QStringLiteral("users"))->model()->rowCount(), 2);
    const int listed = calls->listed;
    view.createUser(QStringLiteral("cem"), QStringLiteral("correct horse"),
                    annotation::Role::Annotator);
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(message(view),
             QStringLiteral("adding user cem failed: attempt to write a readonly database"));
    const auto *label = view.findChild<QLabel *>(QStringLiteral("message"));
    QVERIFY(label->styleSheet().contains(QStringLiteral("#b00020"))); // in red
    QCOMPARE(calls->listed, listed); // nothing changed, so nothing was read again
    QCOMPARE(view.findChild<QTableView *>(QStringLiteral("users"))->model()->rowCount(), 2);
}

// The service works on the view's worker thread: while it is busy the view takes typing, and a
// second change is refused with a reason until the first has its answer.
void tst_UsersViewErrors::slowChangeLeavesTheViewResponsive()
{
    const auto calls = std::make_shared<Calls>();
    ui::UsersView view(refusingUsers(calls), ada());
    view.show();
    QTRY_VERIFY(!view.isBusy());
    calls->hold = true;
    auto *create = view.findChild<QPushButton *>(QStringLiteral("createUser"));
    QVERIFY(create->isEnabled());

    view.createUser(QStringLiteral("cem"), QStringLiteral("correct horse"),
                    annotation::Role::Annotator);
    QTRY_COMPARE(calls->added.load(), 1); // the event loop ran while the service worked
    QVERIFY(view.isBusy());
    QVERIFY(!create->isEnabled());
    auto *name = view.findChild<QLineEdit *>(QStringLiteral("newName"));
    QTest::keyClicks(name, QStringLiteral("dee"));
    QCOMPARE(name->text(), QStringLiteral("dee"));
    view.createUser(QStringLiteral("dee"), QStringLiteral("correct horse"),
                    annotation::Role::Annotator);
    QCOMPARE(message(view), QStringLiteral("Wait for the last change to be saved first."));

    calls->release.release();
    QTRY_VERIFY(!view.isBusy());
    QCOMPARE(message(view),
             QStringLiteral("adding user cem failed: attempt to write a readonly database"));
    QCOMPARE(calls->added.load(), 1);
    QVERIFY(create->isEnabled());
    QCOMPARE(name->text(), QStringLiteral("dee")); // kept for another try
}

QTEST_MAIN(tst_UsersViewErrors)
#include "tst_usersviewerrors.moc"
