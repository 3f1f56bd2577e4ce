#pragma once

#include "annotation/principal.h"
#include "ui/datacheckprocess.h"
#include "ui/datacheckworker.h"

#include <QThread>
#include <QWidget>

class QLabel;
class QListView;
class QProgressBar;
class QPushButton;

namespace digitdesk::ui {

class SuspectListModel;

// The Datasets view's Checks tab: the selected version's newest data check (likely label
// errors as thumbnails with given label, suspected label and confidence; near-duplicates and
// leakage; class balance and label drift; outliers), a Run button that runs `digitdesk dataset
// check` as a child process with progress and Cancel, and the action that sends the selected
// (or all) suspects back to review. Loads run on a worker thread.
class DatasetChecksPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetChecksPane)

public:
    DatasetChecksPane(const QString &databasePath, const QString &workspaceRoot,
                      annotation::Principal who, QWidget *parent = nullptr);
    ~DatasetChecksPane() override;

    SuspectListModel *model() const { return m_model; }
    DataCheckProcess *process() const { return m_process; }
    bool isRunning() const { return m_process->isRunning(); }
    QString tag() const { return m_tag; }

public Q_SLOTS:
    // The version whose check is shown; empty shows nothing.
    void setVersion(const QString &tag);
    void runCheck();
    void cancelCheck();
    void sendSelectedToReview();
    void sendAllToReview();

Q_SIGNALS:
    // After each load of a version's check has reached the screen.
    void checkShown();
    void checkEnded(digitdesk::ui::DataCheckProcess::Outcome outcome);
    void sendFinished(bool ok);
    void requestLoad(const QString &tag);
    void requestSend(const QString &tag, qint64 checkId, const QList<qint64> &suspectIds);

private:
    void handleLoaded(const DataCheckPage &page);
    void handleEnded(DataCheckProcess::Outcome outcome, qint64 checkId, const QString &message);
    void handleSent(const QString &tag, const annotation::SentToReview &result);
    void send(const QList<qint64> &ids);
    void updateButtons();
    void showMessage(const QString &text, bool error);

    annotation::Principal m_who;
    QThread m_thread;
    DataCheckWorker *m_worker;
    DataCheckProcess *m_process;
    SuspectListModel *m_model;
    QString m_tag;
    qint64 m_checkId = 0;
    bool m_sending = false;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QPushButton *m_sendSelected;
    QPushButton *m_sendAll;
    QProgressBar *m_progress;
    QLabel *m_message;
    QLabel *m_summary;
    QListView *m_list;
    QLabel *m_details;
};

} // namespace digitdesk::ui
