#include "ui/datasetcommitdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace digitdesk::ui {

DatasetCommitDialog::DatasetCommitDialog(QWidget *parent)
    : QDialog(parent), m_message(new QLineEdit(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("datasetCommitDialog"));
    setWindowTitle(tr("Commit approved labels"));
    auto *explanation = new QLabel(
        tr("Every approved label becomes the next dataset version. Say what changed (required):"),
        this);
    explanation->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("commitMessage"));
    m_message->setPlaceholderText(tr("e.g. Second batch of Leeds scans, reviewed"));
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Commit"));
    ok->setEnabled(false);
    connect(m_message, &QLineEdit::textChanged, ok,
            [ok](const QString &text) { ok->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explanation);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    setMinimumWidth(360);
}

QString DatasetCommitDialog::message() const
{
    return m_message->text().trimmed();
}

} // namespace digitdesk::ui
