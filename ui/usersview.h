#pragma once

#include "annotation/principal.h"
#include "annotation/userservice.h"
#include "ui/useradministration.h"

#include <QThread>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace digitdesk::ui {

class UserTableModel;
class UsersWorker;

// Admins create users, change roles, disable or enable them and reset passwords. Every change
// to an existing user is confirmed first; new passwords are typed twice. Every request runs on
// a worker thread; while a change is under way the actions wait for it, and what it ends in is
// said in the message line.
class UsersView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersView)

public:
    static constexpr int NameColumnWidth = 220;

    // The user service comes from `users`, called on the view's worker thread.
    UsersView(UserAdministrationFactory users, annotation::Principal who,
              QWidget *parent = nullptr);
    ~UsersView() override;

    // Asks for the users again; the table follows when they arrive.
    void reload();
    // True until every request made so far has its answer on screen.
    bool isBusy() const { return m_requests > 0; }
    // The message line says whether the user was created.
    void createUser(const QString &name, const QString &password, annotation::Role role);
    // These three act on the selected user after the admin confirms.
    void setSelectedRole(annotation::Role role);
    void toggleSelectedDisabled();
    void resetSelectedPassword();
    void selectUser(const QString &name);

private:
    // A change sent to the worker: what the message line says once it is committed, and the
    // user to select in the list that follows (none: the selection stays).
    struct PendingChange
    {
        QString done;
        QString select;
    };

    // Sends `request` (called with the worker, on its thread), unless a change is under way.
    template <typename Request> void startChange(PendingChange pending, Request request);
    template <typename Request> void send(Request request);
    void handleUsers(const std::vector<annotation::UserSummary> &users);
    void handleListFailure(const QString &reason);
    void handleChanged();
    void handleChangeFailure(const QString &reason);
    // Runs a slot's body; what it throws is shown in the message line.
    template <typename Action> void guard(Action &&action);
    void showMessage(const QString &text, bool isError);
    bool confirm(const QString &title, const QString &question);
    // A name short enough for a message line or a dialog, however long the user's name is.
    QString shortName(const QString &name) const;
    std::optional<annotation::UserSummary> selectedUser() const;
    void handleCurrentUserChanged();
    void handleCreateClicked();

    QThread m_thread;
    UsersWorker *m_worker;
    annotation::Principal m_who;
    int m_requests = 0; // sent and not yet answered
    std::optional<PendingChange> m_pending;
    QString m_select; // the user to select in the next list
    UserTableModel *m_model;
    QTableView *m_table;
    QLabel *m_message;
    QComboBox *m_changeRole;
    QPushButton *m_setRole;
    QPushButton *m_toggleDisabled;
    QPushButton *m_resetPassword;
    QLineEdit *m_newName;
    QLineEdit *m_newPassword;
    QLineEdit *m_newPasswordRepeat;
    QComboBox *m_newRole;
    QPushButton *m_create;
};

} // namespace digitdesk::ui
