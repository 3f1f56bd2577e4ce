#pragma once

#include "annotation/principal.h"
#include "annotation/releasevalidation.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

namespace digitdesk::ui {

// The Validation view's work on its own thread and connection: the models waiting for a
// decision, one model's evidence (cancellable from the GUI thread), and the decision itself,
// checked in annotation/ (the role, and four eyes: never the model's own trainer).
class ValidationWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ValidationWorker)

public:
    ValidationWorker(QString databasePath, QString workspaceRoot, annotation::Principal who);
    ~ValidationWorker() override;

    // The model whose evidence the view wants now, set from the GUI thread: evidence asked for
    // another model is skipped, or cancelled between batches when it is under way.
    void want(qint64 modelId);
    // Stops the wanted model's evaluation, under way (between batches) or not yet started; the
    // view hears evidenceCancelled.
    void cancelEvidence();

public Q_SLOTS:
    void loadCandidates();
    void loadEvidence(qint64 modelId);
    void decide(qint64 modelId, bool approve, const QString &comment);

Q_SIGNALS:
    void candidatesReady(const std::vector<digitdesk::annotation::ReleaseCandidate> &candidates);
    void evidenceProgressed(qint64 done, qint64 total);
    void evidenceReady(const digitdesk::annotation::ReleaseEvidence &evidence);
    void evidenceFailed(qint64 modelId, const QString &reason);
    void evidenceCancelled(qint64 modelId);
    void decided(const digitdesk::annotation::ReleaseDecision &decision);
    void failed(const QString &what, const QString &reason);

private:
    void open();

    QString m_databasePath;
    QString m_root;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::atomic<qint64> m_wanted{0};
    std::atomic<bool> m_cancel{false};
    std::atomic<qint64> m_cancelled{0}; // the wanted model, once Cancel was pressed for it
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(std::vector<digitdesk::annotation::ReleaseCandidate>)
Q_DECLARE_METATYPE(digitdesk::annotation::ReleaseEvidence)
Q_DECLARE_METATYPE(digitdesk::annotation::ReleaseDecision)
