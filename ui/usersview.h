#pragma once

#include "annotation/principal.h"
#include "annotation/userservice.h"

#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace digitdesk::ui {

class UserTableModel;

// Admins create users, change roles, disable or enable them and reset passwords.
class UsersView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsersView)

public:
    UsersView(const QSqlDatabase &db, annotation::Principal who, QWidget *parent = nullptr);

    void reload();
    // Where "Reset password" asks for the new one; tests replace the dialog.
    void setPasswordProvider(std::function<std::optional<QString>(const QString &)> provider)
    {
        m_password = std::move(provider);
    }
    void createUser(const QString &name, const QString &password, annotation::Role role);
    void setSelectedRole(annotation::Role role);
    void toggleSelectedDisabled();
    void resetSelectedPassword();
    void selectUser(const QString &name);

private:
    template <typename F> void act(F action);
    QString selectedName() const;

    annotation::UserService m_service;
    annotation::Principal m_who;
    UserTableModel *m_model;
    QTableView *m_table;
    QLabel *m_message;
    std::function<std::optional<QString>(const QString &)> m_password;
};

} // namespace digitdesk::ui
