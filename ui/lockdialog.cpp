#include "ui/lockdialog.h"

#include "ui/appearance.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace digitdesk::ui {

LockDialog::LockDialog(const QString &userName, int idleMinutes, Unlock unlock, QWidget *parent)
    : QDialog(parent), m_unlock(std::move(unlock)), m_password(new QLineEdit(this)),
      m_message(new QLabel(this)), m_retryTimer(new QTimer(this))
{
    setWindowTitle(tr("DigitDesk: locked"));
    setModal(true);
    auto *text = new QLabel(
        tr("Locked after %n minute(s) without activity. Your work is kept.", nullptr, idleMinutes) +
            QLatin1Char('\n') + tr("Password for %1:").arg(userName),
        this);
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(toneStyle(Tone::Error));
    auto *buttons = new QDialogButtonBox(this);
    m_unlockButton = buttons->addButton(tr("&Unlock"), QDialogButtonBox::AcceptRole);
    m_unlockButton->setObjectName(QStringLiteral("unlock"));
    m_unlockButton->setDefault(true);
    QPushButton *logout = buttons->addButton(tr("&Log out"), QDialogButtonBox::ResetRole);
    logout->setObjectName(QStringLiteral("logout"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_password);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    setMinimumWidth(360);
    connect(buttons, &QDialogButtonBox::accepted, this, &LockDialog::handleUnlock);
    // Only the button logs out: Esc (the annotator's "come back" key) or closing the window
    // must not end the session by accident.
    connect(logout, &QPushButton::clicked, this, [this] { done(LoggedOut); });
    m_retryTimer->setInterval(1000);
    connect(m_retryTimer, &QTimer::timeout, this, &LockDialog::handleRetryTick);
}

void LockDialog::reject()
{
    // Esc and the window's close button leave the screen locked.
}

void LockDialog::handleUnlock()
{
    if (!m_unlockButton->isEnabled()) {
        return;
    }
    if (m_password->text().isEmpty()) {
        m_message->setText(tr("Type your password to unlock."));
        return;
    }
    const annotation::LoginResult result = m_unlock(m_password->text());
    m_password->clear();
    if (result.ok()) {
        accept();
        return;
    }
    if (result.status == annotation::LoginResult::Status::SessionEnded) {
        done(SessionEnded);
        return;
    }
    m_message->setText(result.message);
    m_password->setFocus();
    if (result.status == annotation::LoginResult::Status::RateLimited) {
        m_retryAfter = result.retryAfter;
        m_unlockButton->setEnabled(false);
        m_retryTimer->start();
    }
}

void LockDialog::handleRetryTick()
{
    if (QDateTime::currentDateTimeUtc() >= m_retryAfter) {
        m_retryTimer->stop();
        m_unlockButton->setEnabled(true);
        m_message->setText(tr("You can try again now."));
    }
}

} // namespace digitdesk::ui
