#pragma once

#include "annotation/principal.h"
#include "annotation/userservice.h"
#include "ui/useradministration.h"

#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace digitdesk::ui {

class UserTableModel;

// Admins create users, change roles, disable or enable them and reset passwords. Every change
// to an existing user is confirmed first; new passwords are typed twice.
class UsersView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersView)

public:
    static constexpr int NameColumnWidth = 220;

    UsersView(std::unique_ptr<UserAdministration> users, annotation::Principal who,
              QWidget *parent = nullptr);
    // The user service on `db`.
    UsersView(const QSqlDatabase &db, annotation::Principal who, QWidget *parent = nullptr);

    void reload();
    // True when the user was created; the message line says why not otherwise.
    bool createUser(const QString &name, const QString &password, annotation::Role role);
    // These three act on the selected user after the admin confirms.
    void setSelectedRole(annotation::Role role);
    void toggleSelectedDisabled();
    void resetSelectedPassword();
    void selectUser(const QString &name);

private:
    template <typename F> bool act(F action);
    void showMessage(const QString &text, bool isError);
    bool confirm(const QString &title, const QString &question);
    // A name short enough for a message line or a dialog, however long the user's name is.
    QString shortName(const QString &name) const;
    std::optional<annotation::UserSummary> selectedUser() const;
    void handleCurrentUserChanged();
    void handleCreateClicked();

    std::unique_ptr<UserAdministration> m_service;
    annotation::Principal m_who;
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
};

} // namespace digitdesk::ui
