#pragma once

#include <QDialog>

class QLabel;

namespace digitdesk::ui {

// First start, or a workspace that cannot be opened: open the demo workspace (when `make run`
// has prepared it), open another one, or create a new one.
class WorkspaceChooserDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceChooserDialog)

public:
    enum class Choice
    {
        Open,
        Create
    };

    WorkspaceChooserDialog(const QString &demoFolder, const QString &problem,
                           QWidget *parent = nullptr);

    QString folder() const { return m_folder; }
    Choice choice() const { return m_choice; }

private:
    void chooseExisting();
    void chooseNew();

    QString m_folder;
    Choice m_choice = Choice::Open;
};

} // namespace digitdesk::ui
