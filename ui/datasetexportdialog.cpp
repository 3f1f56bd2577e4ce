#include "ui/datasetexportdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace digitdesk::ui {

DatasetExportDialog::DatasetExportDialog(const QString &tag, QWidget *parent)
    : QDialog(parent), m_format(new QComboBox(this)), m_folder(new QLineEdit(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("datasetExportDialog"));
    setWindowTitle(tr("Export %1").arg(tag));
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_format->addItem(tr("ImageFolder (a folder per class, PNG files)"),
                      static_cast<int>(annotation::ExportFormat::ImageFolder));
    m_format->addItem(tr("IDX (MNIST's format; digits only)"),
                      static_cast<int>(annotation::ExportFormat::Idx));
    m_format->addItem(tr("CSV (label and 784 pixels a line; digits only)"),
                      static_cast<int>(annotation::ExportFormat::Csv));
    m_folder->setObjectName(QStringLiteral("exportFolder"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Export to"), m_folder->text());
        if (!folder.isEmpty()) {
            m_folder->setText(folder);
        }
    });
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Export"));
    ok->setEnabled(false);
    connect(m_folder, &QLineEdit::textChanged, ok,
            [ok](const QString &text) { ok->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("F&older:"), folderRow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    setMinimumWidth(420);
}

annotation::ExportFormat DatasetExportDialog::format() const
{
    return static_cast<annotation::ExportFormat>(m_format->currentData().toInt());
}

QString DatasetExportDialog::folder() const
{
    return m_folder->text().trimmed();
}

} // namespace digitdesk::ui
