#include "ui/usersview.h"

#include "ui/appearance.h"
#include "ui/slotguard.h"
#include "ui/usersworker.h"
#include "ui/usertablemodel.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

constexpr int ShortNameWidth = 320; // pixels

QLineEdit *passwordField(QWidget *parent, const QString &objectName)
{
    auto *field = new QLineEdit(parent);
    field->setObjectName(objectName);
    field->setEchoMode(QLineEdit::Password);
    return field;
}

QLabel *plainLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QString mismatchText()
{
    return UsersView::tr("The two passwords differ: type the same password in both fields.");
}

// Asks for a user's new password twice and keeps asking until both agree and the password
// rules accept it, or the admin cancels.
class NewPasswordDialog final : public QDialog
{
public:
    NewPasswordDialog(const QString &shownName, QWidget *parent)
        : QDialog(parent), m_password(passwordField(this, QStringLiteral("password"))),
          m_repeat(passwordField(this, QStringLiteral("passwordRepeat"))),
          m_error(plainLabel({}, this))
    {
        setObjectName(QStringLiteral("newPasswordDialog"));
        setWindowTitle(UsersView::tr("Reset password"));
        m_error->setObjectName(QStringLiteral("passwordError"));
        m_error->setWordWrap(true);
        m_error->setStyleSheet(toneStyle(Tone::Error, true));
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
        connect(buttons, &QDialogButtonBox::accepted, this, &NewPasswordDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, this, &NewPasswordDialog::reject);
        auto *form = new QFormLayout;
        form->addRow(UsersView::tr("New password"), m_password);
        form->addRow(UsersView::tr("Repeat it"), m_repeat);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(plainLabel(UsersView::tr("New password for %1:").arg(shownName), this));
        layout->addLayout(form);
        layout->addWidget(m_error);
        layout->addWidget(buttons);
    }

    QString password() const { return m_password->text(); }

    void accept() override
    {
        QString problem;
        if (m_password->text() != m_repeat->text()) {
            problem = mismatchText();
        } else {
            try {
                annotation::UserService::validatePassword(m_password->text());
            } catch (const std::exception &error) {
                problem = QString::fromUtf8(error.what());
            }
        }
        if (problem.isEmpty()) {
            QDialog::accept();
            return;
        }
        m_error->setText(problem);
        m_repeat->clear();
        m_repeat->setFocus();
    }

private:
    QLineEdit *m_password;
    QLineEdit *m_repeat;
    QLabel *m_error;
};

} // namespace

UsersView::UsersView(UserAdministrationFactory users, annotation::Principal who, QWidget *parent)
    : QWidget(parent), m_worker(new UsersWorker(std::move(users), who)), m_who(std::move(who)),
      m_model(new UserTableModel(this)), m_table(new QTableView(this)),
      m_message(plainLabel({}, this)), m_changeRole(new QComboBox(this)),
      m_setRole(new QPushButton(tr("Set role"), this)),
      m_toggleDisabled(new QPushButton(tr("Disable"), this)),
      m_resetPassword(new QPushButton(tr("Reset password…"), this)), m_newName(new QLineEdit(this)),
      m_newPassword(passwordField(this, QStringLiteral("newPassword"))),
      m_newPasswordRepeat(passwordField(this, QStringLiteral("newPasswordRepeat"))),
      m_newRole(new QComboBox(this)), m_create(new QPushButton(tr("Create user"), this))
{
    m_table->setObjectName(QStringLiteral("users"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    // Fixed starting widths: a column sized to its contents would grow with the longest name.
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->resizeSection(UserTableModel::NameColumn, NameColumnWidth);
    header->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { guard([&] { handleCurrentUserChanged(); }); });
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    // An error may quote a long name as one unbreakable word; it must not widen the window.
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_newName->setObjectName(QStringLiteral("newName"));
    m_newRole->setObjectName(QStringLiteral("newRole"));
    m_newRole->addItems(annotation::allRoleNames());
    m_create->setObjectName(QStringLiteral("createUser"));
    connect(m_create, &QPushButton::clicked, this,
            [this] { guard([&] { handleCreateClicked(); }); });
    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_newName);
    form->addRow(tr("Password"), m_newPassword);
    form->addRow(tr("Repeat password"), m_newPasswordRepeat);
    form->addRow(tr("Role"), m_newRole);
    form->addRow(QString(), m_create);

    m_changeRole->setObjectName(QStringLiteral("changeRole"));
    m_changeRole->addItems(annotation::allRoleNames());
    m_setRole->setObjectName(QStringLiteral("setRole"));
    connect(m_setRole, &QPushButton::clicked, this, [this] {
        guard([&] {
            if (const auto role = annotation::roleFromString(m_changeRole->currentText())) {
                setSelectedRole(*role);
            }
        });
    });
    m_toggleDisabled->setObjectName(QStringLiteral("toggleDisabled"));
    connect(m_toggleDisabled, &QPushButton::clicked, this,
            [this] { guard([&] { toggleSelectedDisabled(); }); });
    m_resetPassword->setObjectName(QStringLiteral("resetPassword"));
    connect(m_resetPassword, &QPushButton::clicked, this,
            [this] { guard([&] { resetSelectedPassword(); }); });
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_changeRole);
    actions->addWidget(m_setRole);
    actions->addWidget(m_toggleDisabled);
    actions->addWidget(m_resetPassword);
    actions->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(actions);
    layout->addWidget(m_message);
    layout->addLayout(form);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &UsersWorker::listed, this,
            [this](const std::vector<annotation::UserSummary> &users) {
                guard([&] { handleUsers(users); });
            });
    connect(m_worker, &UsersWorker::listFailed, this,
            [this](const QString &reason) { guard([&] { handleListFailure(reason); }); });
    connect(m_worker, &UsersWorker::changed, this, [this] { guard([&] { handleChanged(); }); });
    connect(m_worker, &UsersWorker::changeFailed, this,
            [this](const QString &reason) { guard([&] { handleChangeFailure(reason); }); });
    m_thread.setObjectName(QStringLiteral("users worker"));
    m_thread.start();
    handleCurrentUserChanged();
    reload();
}

UsersView::~UsersView()
{
    m_thread.quit();
    m_thread.wait();
}

template <typename Action> void UsersView::guard(Action &&action)
{
    guardSlot(std::forward<Action>(action),
              [this](const QString &text) { showMessage(text, true); });
}

template <typename Request> void UsersView::send(Request request)
{
    ++m_requests;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, request] { request(*worker); });
}

template <typename Request> void UsersView::startChange(PendingChange pending, Request request)
{
    if (m_pending) {
        showMessage(tr("Wait for the last change to be saved first."), true);
        return;
    }
    m_pending = std::move(pending);
    handleCurrentUserChanged();
    send(std::move(request));
}

void UsersView::handleUsers(const std::vector<annotation::UserSummary> &users)
{
    --m_requests;
    const std::optional<annotation::UserSummary> selected = selectedUser();
    const QString select = !m_select.isEmpty() ? m_select : selected ? selected->name : QString();
    m_select.clear();
    m_model->setUsers(users);
    selectUser(select);
    handleCurrentUserChanged();
}

void UsersView::handleListFailure(const QString &reason)
{
    --m_requests;
    showMessage(reason, true);
}

void UsersView::handleChanged()
{
    // The users follow, so the request is answered only then.
    const PendingChange pending = m_pending.value_or(PendingChange{});
    m_pending.reset();
    m_select = pending.select;
    if (!pending.select.isEmpty() && m_newName->text().trimmed() == pending.select) {
        m_newName->clear();
    }
    showMessage(pending.done, false);
    handleCurrentUserChanged();
}

void UsersView::handleChangeFailure(const QString &reason)
{
    --m_requests;
    m_pending.reset();
    showMessage(reason, true);
    handleCurrentUserChanged();
}

void UsersView::showMessage(const QString &text, bool isError)
{
    m_message->setStyleSheet(isError ? toneStyle(Tone::Error, true) : QString());
    m_message->setText(text);
}

bool UsersView::confirm(const QString &title, const QString &question)
{
    QMessageBox box(QMessageBox::Question, title, question, QMessageBox::Yes | QMessageBox::No,
                    this);
    box.setObjectName(QStringLiteral("confirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}

QString UsersView::shortName(const QString &name) const
{
    return fontMetrics().elidedText(name, Qt::ElideMiddle, ShortNameWidth);
}

void UsersView::reload()
{
    send([](UsersWorker &worker) { worker.list(); });
}

std::optional<annotation::UserSummary> UsersView::selectedUser() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        return std::nullopt;
    }
    return m_model->user(current.row());
}

void UsersView::selectUser(const QString &name)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->user(row).name == name) {
            m_table->setCurrentIndex(m_model->index(row, UserTableModel::NameColumn));
            return;
        }
    }
}

void UsersView::handleCurrentUserChanged()
{
    const std::optional<annotation::UserSummary> user = selectedUser();
    const std::initializer_list<QWidget *> actions{m_changeRole, m_setRole, m_toggleDisabled,
                                                   m_resetPassword};
    for (QWidget *action : actions) {
        action->setEnabled(user.has_value() && !m_pending);
    }
    m_create->setEnabled(!m_pending);
    if (!user) {
        return;
    }
    m_changeRole->setCurrentText(annotation::toString(user->role));
    m_toggleDisabled->setText(user->disabled ? tr("Enable") : tr("Disable"));
}

void UsersView::handleCreateClicked()
{
    const QString name = m_newName->text().trimmed();
    const QString password = m_newPassword->text();
    const QString repeated = m_newPasswordRepeat->text();
    m_newPassword->clear();
    m_newPasswordRepeat->clear();
    if (password != repeated) {
        showMessage(mismatchText(), true);
        m_newPassword->setFocus();
        return;
    }
    if (const auto role = annotation::roleFromString(m_newRole->currentText())) {
        createUser(name, password, *role); // the name field is cleared once the user exists
    }
}

void UsersView::createUser(const QString &name, const QString &password, annotation::Role role)
{
    startChange(
        {tr("Created %1 (%2).").arg(shortName(name), annotation::toString(role)), name},
        [name, password, role](UsersWorker &worker) { worker.addUser(name, password, role); });
}

void UsersView::setSelectedRole(annotation::Role role)
{
    const std::optional<annotation::UserSummary> user = selectedUser();
    if (!user) {
        return;
    }
    const QString name = shortName(user->name);
    const QString roleName = annotation::toString(role);
    if (user->role == role) {
        showMessage(tr("%1 is %2 already; nothing changed.").arg(name, roleName), false);
        return;
    }
    if (!confirm(tr("Change role"), tr("Change the role of %1 from %2 to %3?")
                                        .arg(name, annotation::toString(user->role), roleName))) {
        return;
    }
    startChange({tr("%1 is now %2.").arg(name, roleName), {}},
                [user = user->name, role](UsersWorker &worker) { worker.setRole(user, role); });
}

void UsersView::toggleSelectedDisabled()
{
    const std::optional<annotation::UserSummary> user = selectedUser();
    if (!user) {
        return;
    }
    const QString name = shortName(user->name);
    const QString question =
        user->disabled ? tr("Enable %1? They may log in again.").arg(name)
                       : tr("Disable %1? They can no longer log in; their work is kept.").arg(name);
    if (!confirm(user->disabled ? tr("Enable user") : tr("Disable user"), question)) {
        return;
    }
    startChange({user->disabled ? tr("%1 may log in again.").arg(name)
                                : tr("%1 can no longer log in.").arg(name),
                 {}},
                [user = user->name, disable = !user->disabled](UsersWorker &worker) {
                    worker.setDisabled(user, disable);
                });
}

void UsersView::resetSelectedPassword()
{
    const std::optional<annotation::UserSummary> user = selectedUser();
    if (!user) {
        return;
    }
    const QString name = shortName(user->name);
    if (!confirm(tr("Reset password"),
                 tr("Reset the password of %1? Their current password stops working.").arg(name))) {
        return;
    }
    NewPasswordDialog dialog(name, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    startChange({tr("Set a new password for %1.").arg(name), {}},
                [user = user->name, password = dialog.password()](UsersWorker &worker) {
                    worker.changePassword(user, password);
                });
}

} // namespace digitdesk::ui
