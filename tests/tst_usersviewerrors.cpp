#include "annotation/userservice.h"
#include "storage/storageerror.h"
#include "ui/useradministration.h"
#include "ui/usersview.h"

#include <QLabel>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace digitdesk;

namespace {

// A user service that lists two users and refuses every change, as a database that cannot be
// written would: the admin must see why.
class RefusingUsers final : public ui::UserAdministration
{
public:
    std::vector<annotation::UserSummary> listUsers(const annotation::Principal &) override
    {
        ++listed;
        return {{QStringLiteral("ada"), annotation::Role::Admin, false, {}, {}},
                {QStringLiteral("bob"), annotation::Role::Annotator, false, {}, {}}};
    }
    void addUser(const annotation::Principal &, const QString &name, const QString &,
                 annotation::Role) override
    {
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

    int listed = 0;
};

} // namespace

// The users view over a service given from outside (as MainWindow composes it).
class tst_UsersViewErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedCreateShowsTheReason();
};

void tst_UsersViewErrors::refusedCreateShowsTheReason()
{
    auto users = std::make_unique<RefusingUsers>();
    RefusingUsers &service = *users;
    annotation::Principal ada;
    ada.name = QStringLiteral("ada");
    ada.role = annotation::Role::Admin;
    ui::UsersView view(std::move(users), ada);
    view.show();
    QCOMPARE(view.findChild<QTableView *>(QStringLiteral("users"))->model()->rowCount(), 2);
    const int listed = service.listed;
    QVERIFY(!view.createUser(QStringLiteral("cem"), QStringLiteral("correct horse"),
                             annotation::Role::Annotator));
    const auto *message = view.findChild<QLabel *>(QStringLiteral("message"));
    QCOMPARE(message->text(),
             QStringLiteral("adding user cem failed: attempt to write a readonly database"));
    QVERIFY(message->styleSheet().contains(QStringLiteral("#b00020"))); // in red
    QCOMPARE(service.listed, listed); // nothing changed, so nothing was read again
    QCOMPARE(view.findChild<QTableView *>(QStringLiteral("users"))->model()->rowCount(), 2);
}

QTEST_MAIN(tst_UsersViewErrors)
#include "tst_usersviewerrors.moc"
