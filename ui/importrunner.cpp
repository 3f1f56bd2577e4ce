#include "ui/importrunner.h"

#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "storage/connection.h"
#include "storage/workspace.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>

namespace digitdesk::ui {

ImportRunner::ImportRunner(const storage::Workspace &workspace, annotation::Principal who,
                           QObject *parent)
    : QObject(parent), m_workspace(workspace), m_who(std::move(who)),
      m_cancel(std::make_shared<std::atomic<bool>>(false)),
      m_closing(std::make_shared<std::atomic<bool>>(false))
{
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this] {
        const Outcome outcome = m_watcher.result();
        if (outcome.error.isEmpty()) {
            Q_EMIT finished(outcome.report);
        } else {
            Q_EMIT failed(outcome.error);
        }
    });
}

ImportRunner::~ImportRunner()
{
    // The worker holds references into this object's workspace: stop it and wait.
    m_cancel->store(true);
    m_closing->store(true);
    m_watcher.waitForFinished();
}

void ImportRunner::start(const QStringList &paths, const annotation::ImportOptions &options)
{
    m_cancel->store(false);
    const QString databasePath = m_workspace.databasePath();
    const QString root = m_workspace.root();
    const storage::BlobStore *blobs = &m_workspace.blobs();
    const QPointer<ImportRunner> self(this);
    auto cancel = m_cancel;
    auto closing = m_closing;
    const annotation::Principal who = m_who;
    m_watcher.setFuture(QtConcurrent::run([=]() -> Outcome {
        Outcome outcome;
        try {
            const storage::Connection connection(databasePath);
            annotation::Importer importer(connection.db(), *blobs, who);
            // Reports on the GUI thread, and only while this runner lives.
            const auto report = [self](auto signal) {
                return [self, signal](qint64 done, qint64 total) {
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, signal, done, total] {
                            if (self) {
                                Q_EMIT(self->*signal)(done, total);
                            }
                        },
                        Qt::QueuedConnection);
                };
            };
            outcome.report =
                importer.run(paths, options, report(&ImportRunner::progressed), cancel.get());
            // New incoming images get the production model's predictions on this same worker.
            // After an import cancelled part-way, those it did import still get theirs, quietly,
            // unless the window closes (logout, quit): then "Re-predict waiting images" does it.
            if (outcome.report.imported > 0) {
                std::function<void(qint64, qint64)> predicting;
                const std::atomic<bool> *stopPredicting = closing.get();
                if (!cancel->load()) {
                    predicting = report(&ImportRunner::predicting);
                    stopPredicting = cancel.get();
                }
                try {
                    outcome.predicted = annotation::updatePredictions(connection.db(), root,
                                                                      models::DeviceRequest::Auto,
                                                                      predicting, stopPredicting)
                                            .predicted;
                } catch (const annotation::ModelRefused &error) {
                    outcome.report.problems.push_back(
                        {QStringLiteral("production model"), QString::fromUtf8(error.what())});
                }
            }
        } catch (const std::exception &error) {
            outcome.error = QString::fromUtf8(error.what());
        }
        return outcome;
    }));
}

} // namespace digitdesk::ui
