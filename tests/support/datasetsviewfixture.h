#pragma once

// The Datasets view suites' fixture: a team with labelled images, and finding the view's widgets
// and dialogs as a person sees them.

#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/datasetservice.h"
#include "annotation/reviewservice.h"
#include "tests/support/testdata.h"
#include "ui/datasetdifflistmodel.h"
#include "ui/datasethistogramchart.h"
#include "ui/datasetsview.h"
#include "ui/datasetversiontablemodel.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

namespace digitdesk::testing::datasetsview {

using annotation::Role;

// Ana labels image i as i (the model predicts i % 10); two reviewers, Rui and Ria, and an ML
// engineer, Mel, logged in.
struct Team
{
    explicit Team(int count)
    {
        images = testing::addPredictedImages(*temp.workspace, std::vector<double>(count, 0.4));
        ana = testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
        rui = login(QStringLiteral("rui"), Role::Reviewer);
        ria = login(QStringLiteral("ria"), Role::Reviewer);
        mel = login(QStringLiteral("mel"), Role::MlEngineer);
        for (int i = 0; i < count; ++i) {
            annotation::AnnotationService(db()).label(ana, images[static_cast<size_t>(i)],
                                                      storage::Label::fromDigit(i), 500);
        }
    }
    annotation::Principal login(const QString &name, Role role)
    {
        testing::addUser(*temp.workspace, name, role);
        return annotation::AuthService(db())
            .login(name, QStringLiteral("correct horse"), QStringLiteral("gui"))
            .principal;
    }
    QSqlDatabase db() const { return temp.workspace->db(); }
    void approve(const annotation::Principal &who, size_t image)
    {
        annotation::ReviewService(db()).approve(who, images[image]);
    }
    annotation::DatasetService datasets() const
    {
        return annotation::DatasetService(db(), temp.workspace->root());
    }
    QString commit(const QString &message) const { return datasets().commit(rui, message).tag; }

    testing::TempWorkspace temp;
    std::vector<qint64> images;
    annotation::Principal ana;
    annotation::Principal rui;
    annotation::Principal ria;
    annotation::Principal mel;
};

// The open modal dialog, once it is on screen.
inline QDialog *modalDialog()
{
    QDialog *dialog = nullptr;
    const auto found = [&dialog] {
        dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        return dialog != nullptr && dialog->isVisible();
    };
    return QTest::qWaitFor(found, 5000) ? dialog : nullptr;
}

template <typename T> inline T *child(const QWidget &parent, const char *name)
{
    return parent.findChild<T *>(QLatin1String(name));
}

inline QStringList navigation(const ui::MainWindow &window)
{
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QStringList names;
    for (int i = 0; i < nav->count(); ++i) {
        names << nav->item(i)->text();
    }
    return names;
}

// Shows the view and waits for its first version list.
inline bool showAndLoad(ui::DatasetsView &view)
{
    QSignalSpy shown(&view, &ui::DatasetsView::versionsShown);
    view.show();
    return shown.wait();
}

inline QString cell(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

} // namespace digitdesk::testing::datasetsview
