#include "ui/lockdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace digitdesk::ui {

LockDialog::LockDialog(const QString &userName, int idleMinutes,
                       std::function<bool(const QString &)> unlock, QWidget *parent)
    : QDialog(parent), m_unlock(std::move(unlock)), m_password(new QLineEdit(this)),
      m_message(new QLabel(this))
{
    setWindowTitle(tr("DigitDesk: locked"));
    setModal(true);
    auto *text = new QLabel(
        tr("Locked after %1 minutes without activity. Your work is kept.\nPassword for %2:")
            .arg(idleMinutes)
            .arg(userName),
        this);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    auto *buttons = new QDialogButtonBox(this);
    QPushButton *unlockButton = buttons->addButton(tr("Unlock"), QDialogButtonBox::AcceptRole);
    unlockButton->setDefault(true);
    buttons->addButton(tr("Log out"), QDialogButtonBox::RejectRole);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_password);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &LockDialog::handleUnlock);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void LockDialog::handleUnlock()
{
    if (m_unlock(m_password->text())) {
        accept();
        return;
    }
    m_password->clear();
    m_message->setText(tr("Wrong password."));
}

} // namespace digitdesk::ui
