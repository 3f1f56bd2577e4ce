#include "ui/usersview.h"

#include "ui/usertablemodel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace digitdesk::ui {

UsersView::UsersView(const QSqlDatabase &db, annotation::Principal who, QWidget *parent)
    : QWidget(parent), m_service(db), m_who(std::move(who)), m_model(new UserTableModel(this)),
      m_table(new QTableView(this)), m_message(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("users"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);

    auto *name = new QLineEdit(this);
    name->setObjectName(QStringLiteral("newName"));
    auto *password = new QLineEdit(this);
    password->setObjectName(QStringLiteral("newPassword"));
    password->setEchoMode(QLineEdit::Password);
    auto *role = new QComboBox(this);
    role->setObjectName(QStringLiteral("newRole"));
    role->addItems(annotation::allRoleNames());
    auto *create = new QPushButton(tr("Create user"), this);
    connect(create, &QPushButton::clicked, this, [this, name, password, role] {
        createUser(
            name->text().trimmed(), password->text(),
            annotation::roleFromString(role->currentText()).value_or(annotation::Role::Annotator));
        password->clear();
    });
    auto *form = new QFormLayout;
    form->addRow(tr("Name"), name);
    form->addRow(tr("Password"), password);
    form->addRow(tr("Role"), role);
    form->addRow(QString(), create);

    auto *changeRole = new QComboBox(this);
    changeRole->addItems(annotation::allRoleNames());
    auto *applyRole = new QPushButton(tr("Set role"), this);
    connect(applyRole, &QPushButton::clicked, this, [this, changeRole] {
        setSelectedRole(annotation::roleFromString(changeRole->currentText())
                            .value_or(annotation::Role::Annotator));
    });
    auto *disable = new QPushButton(tr("Disable / enable"), this);
    connect(disable, &QPushButton::clicked, this, &UsersView::toggleSelectedDisabled);
    auto *reset = new QPushButton(tr("Reset password…"), this);
    connect(reset, &QPushButton::clicked, this, &UsersView::resetSelectedPassword);
    auto *actions = new QHBoxLayout;
    actions->addWidget(changeRole);
    actions->addWidget(applyRole);
    actions->addWidget(disable);
    actions->addWidget(reset);
    actions->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(actions);
    layout->addWidget(m_message);
    layout->addLayout(form);

    m_password = [this](const QString &user) -> std::optional<QString> {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, tr("Reset password"), tr("New password for %1:").arg(user),
                                  QLineEdit::Password, {}, &ok);
        return ok ? std::optional<QString>(text) : std::nullopt;
    };
    reload();
}

template <typename F> void UsersView::act(F action)
{
    try {
        const QString done = action();
        m_message->setStyleSheet({});
        m_message->setText(done);
        reload();
    } catch (const std::exception &error) {
        m_message->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
        m_message->setText(QString::fromUtf8(error.what()));
    }
}

void UsersView::reload()
{
    const QString selected = selectedName();
    try {
        m_model->setUsers(m_service.listUsers(m_who));
    } catch (const std::exception &error) {
        m_message->setText(QString::fromUtf8(error.what()));
    }
    selectUser(selected);
}

QString UsersView::selectedName() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->user(current.row()).name : QString();
}

void UsersView::selectUser(const QString &name)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->user(row).name == name) {
            m_table->setCurrentIndex(m_model->index(row, 0));
            return;
        }
    }
}

void UsersView::createUser(const QString &name, const QString &password, annotation::Role role)
{
    act([&] {
        m_service.addUser(m_who, name, password, role);
        return tr("Created %1 (%2).").arg(name, annotation::toString(role));
    });
    selectUser(name);
}

void UsersView::setSelectedRole(annotation::Role role)
{
    const QString name = selectedName();
    act([&] {
        m_service.setRole(m_who, name, role);
        return tr("%1 is now %2.").arg(name, annotation::toString(role));
    });
}

void UsersView::toggleSelectedDisabled()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        return;
    }
    const annotation::UserSummary user = m_model->user(current.row());
    act([&] {
        m_service.setDisabled(m_who, user.name, !user.disabled);
        return user.disabled ? tr("%1 may log in again.").arg(user.name)
                             : tr("%1 can no longer log in.").arg(user.name);
    });
}

void UsersView::resetSelectedPassword()
{
    const QString name = selectedName();
    if (name.isEmpty()) {
        return;
    }
    const auto password = m_password(name);
    if (!password) {
        return;
    }
    act([&] {
        m_service.changePassword(m_who, name, *password);
        return tr("Set a new password for %1.").arg(name);
    });
}

} // namespace digitdesk::ui
