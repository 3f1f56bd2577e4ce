#include "ui/workspacechooserdialog.h"

#include "storage/workspace.h"
#include "ui/appearance.h"

#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace digitdesk::ui {

WorkspaceChooserDialog::WorkspaceChooserDialog(const QString &demoFolder, const QString &problem,
                                               QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("DigitDesk: choose a workspace"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A workspace holds the images, labels, users, dataset versions "
                                "and models of one project."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    if (!problem.isEmpty()) {
        auto *error = new QLabel(problem, this);
        error->setObjectName(QStringLiteral("problem"));
        error->setWordWrap(true);
        error->setStyleSheet(toneStyle(Tone::Error));
        layout->addWidget(error);
    }
    auto *demo = new QPushButton(tr("Open the &demo workspace"), this);
    demo->setObjectName(QStringLiteral("openDemo"));
    const bool haveDemo = storage::Workspace::looksLikeWorkspace(demoFolder);
    demo->setEnabled(haveDemo);
    demo->setToolTip(haveDemo ? demoFolder : tr("`make run` prepares it at %1").arg(demoFolder));
    auto *open = new QPushButton(tr("&Open a workspace…"), this);
    open->setObjectName(QStringLiteral("openOther"));
    auto *create = new QPushButton(tr("&Create a new workspace…"), this);
    auto *quit = new QPushButton(tr("&Quit"), this);
    for (QPushButton *button : {demo, open, create}) {
        button->setMinimumHeight(36);
        layout->addWidget(button);
    }
    layout->addSpacing(8);
    layout->addWidget(quit);
    setMinimumWidth(440);

    connect(demo, &QPushButton::clicked, this, [this, demoFolder] {
        m_folder = demoFolder;
        m_choice = Choice::Open;
        accept();
    });
    connect(open, &QPushButton::clicked, this, &WorkspaceChooserDialog::chooseExisting);
    connect(create, &QPushButton::clicked, this, &WorkspaceChooserDialog::chooseNew);
    connect(quit, &QPushButton::clicked, this, &QDialog::reject);
    if (haveDemo) {
        demo->setDefault(true);
    }
}

void WorkspaceChooserDialog::chooseExisting()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a workspace"));
    if (folder.isEmpty()) {
        return;
    }
    if (!storage::Workspace::looksLikeWorkspace(folder)) {
        QMessageBox::warning(this, tr("Not a workspace"),
                             tr("%1 is not a DigitDesk workspace: it has no digitdesk.sqlite or "
                                "digitdesk.database.")
                                 .arg(folder));
        return;
    }
    m_folder = folder;
    m_choice = Choice::Open;
    accept();
}

void WorkspaceChooserDialog::chooseNew()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Choose an empty folder for the new workspace"));
    if (folder.isEmpty()) {
        return;
    }
    if (!QDir(folder).isEmpty()) {
        QMessageBox::warning(this, tr("Folder not empty"),
                             tr("%1 is not empty. Choose or make an empty folder.").arg(folder));
        return;
    }
    m_folder = folder;
    m_choice = Choice::Create;
    accept();
}

} // namespace digitdesk::ui
