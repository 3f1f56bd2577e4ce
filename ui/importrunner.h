#pragma once

#include "annotation/importer.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

// Runs an import on a worker thread with its own database connection and reports progress
// back to the GUI thread; cancel() stops it between batches (each batch is committed whole).
// The production model's predictions of the new images follow on the same worker, counted by
// predicting(); a cancel() during them stops them between batches of 512.
class ImportRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportRunner)

public:
    ImportRunner(const storage::Workspace &workspace, annotation::Principal who,
                 QObject *parent = nullptr);
    ~ImportRunner() override;

    void start(const QStringList &paths, const annotation::ImportOptions &options);
    void cancel() { m_cancel->store(true); }
    bool isRunning() const { return m_watcher.isRunning(); }

Q_SIGNALS:
    void progressed(qint64 done, qint64 total);
    void predicting(qint64 done, qint64 total);
    void finished(const digitdesk::annotation::ImportReport &report);
    void failed(const QString &reason);

private:
    struct Outcome
    {
        annotation::ImportReport report;
        qint64 predicted = 0;
        QString error;
    };

    const storage::Workspace &m_workspace;
    annotation::Principal m_who;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    // Set only when the runner goes away: stops the quiet predictions after a cancelled import.
    std::shared_ptr<std::atomic<bool>> m_closing;
    QFutureWatcher<Outcome> m_watcher;
};

} // namespace digitdesk::ui
