#include "ui/logindialog.h"

#include "ui/appearance.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace digitdesk::ui {

LoginDialog::LoginDialog(Attempt attempt, const QString &workspaceName, QWidget *parent)
    : QDialog(parent), m_attempt(std::move(attempt)), m_name(new QLineEdit(this)),
      m_password(new QLineEdit(this)), m_message(new QLabel(this)),
      m_login(new QPushButton(tr("Log in"), this)), m_retryTimer(new QTimer(this))
{
    setWindowTitle(tr("DigitDesk: log in"));
    m_name->setObjectName(QStringLiteral("userName"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(toneStyle(Tone::Error));
    m_login->setObjectName(QStringLiteral("login"));
    m_login->setDefault(true);

    // The folder's name in bold, its full path below in small print: paths can be long.
    const QString folderName = workspaceName.section(QLatin1Char('/'), -1);
    auto *heading = new QLabel(tr("Workspace <b>%1</b><br><small>%2</small>")
                                   .arg(folderName.toHtmlEscaped(), workspaceName.toHtmlEscaped()),
                               this);
    heading->setWordWrap(true);
    heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *form = new QFormLayout;
    form->addRow(tr("&User name"), m_name);
    form->addRow(tr("&Password"), m_password);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_login, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    setMinimumWidth(380);

    connect(buttons, &QDialogButtonBox::accepted, this, &LoginDialog::handleLogin);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_retryTimer->setInterval(1000);
    connect(m_retryTimer, &QTimer::timeout, this, &LoginDialog::handleRetryTick);
}

void LoginDialog::setUserName(const QString &name)
{
    m_name->setText(name);
    m_password->setFocus();
}

void LoginDialog::setMessage(const QString &message)
{
    m_message->setText(message);
}

void LoginDialog::handleLogin()
{
    if (m_name->text().trimmed().isEmpty()) {
        m_message->setText(tr("Enter your user name."));
        m_name->setFocus();
        return;
    }
    const annotation::LoginResult result = m_attempt(m_name->text().trimmed(), m_password->text());
    m_password->clear();
    if (result.ok()) {
        m_principal = result.principal;
        accept();
        return;
    }
    m_message->setText(result.message);
    m_password->setFocus();
    if (result.status == annotation::LoginResult::Status::RateLimited) {
        m_retryAfter = result.retryAfter;
        m_login->setEnabled(false);
        m_retryTimer->start();
    }
}

void LoginDialog::handleRetryTick()
{
    if (QDateTime::currentDateTimeUtc() >= m_retryAfter) {
        m_retryTimer->stop();
        m_login->setEnabled(true);
        m_message->setText(tr("You can try again now."));
    }
}

} // namespace digitdesk::ui
