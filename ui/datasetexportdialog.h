#pragma once

#include "annotation/datasetservice.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLineEdit;

namespace digitdesk::ui {

// Asks how and where to export a dataset version: ImageFolder, IDX or CSV, and a folder.
class DatasetExportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetExportDialog)

public:
    DatasetExportDialog(const QString &tag, QWidget *parent = nullptr);
    annotation::ExportFormat format() const;
    QString folder() const;

private:
    QComboBox *m_format;
    QLineEdit *m_folder;
    QDialogButtonBox *m_buttons;
};

} // namespace digitdesk::ui
