#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace digitdesk::ui {

// Asks for the message of a new dataset version; OK waits until there is one.
class DatasetCommitDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetCommitDialog)

public:
    explicit DatasetCommitDialog(QWidget *parent = nullptr);
    QString message() const;

private:
    QLineEdit *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace digitdesk::ui
