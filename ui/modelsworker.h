#pragma once

#include "annotation/modelcomparison.h"
#include "annotation/principal.h"
#include "annotation/releasesignoff.h"
#include "storage/modelrepository.h"
#include "storage/trainingrunrepository.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

namespace digitdesk::ui {

// The registry as the Models view shows it.
struct RegistrySnapshot
{
    std::vector<storage::ModelRecord> models;
    std::map<QString, qint64> aliases;      // alias -> model id
    std::map<QString, QString> datasetTags; // dataset commit -> version tag
    std::map<QString, int> datasetImages;   // dataset commit -> images in the version
    std::vector<storage::AliasMove> history;
    std::map<qint64, annotation::ReleaseStatus> releases; // model id -> ML QA's sign-off
    bool signOffWaived = false;
};

// Where a model came from: model <- run <- dataset version <- labels, with who stands behind
// the labels.
struct ModelLineageSummary
{
    qint64 modelId = 0;
    std::optional<storage::TrainingRunRecord> run;
    QString datasetTag;
    QString datasetCommit;
    int labelCount = 0;
    std::vector<std::pair<QString, int>> annotators; // most labels first
    std::vector<std::pair<QString, int>> reviewers;
    QString problem; // why part of the chain is unknown
};

// The Models view's work on its own thread and connection: the registry, a model's lineage,
// promotion and roll-back (checked against the user's role in annotation/), and the
// comparison of two models, which can be cancelled from the GUI thread.
class ModelsWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelsWorker)

public:
    ModelsWorker(QString databasePath, QString workspaceRoot, annotation::Principal who);
    ~ModelsWorker() override;

    // Set from the GUI thread; the comparison checks it between batches.
    std::atomic<bool> &comparisonCancel() { return m_cancel; }
    // Set from the GUI thread (cleared there before a promotion, a roll-back or a re-predict);
    // storing predictions checks it between batches of 512 images.
    std::atomic<bool> &predictionCancel() { return m_predictionCancel; }

public Q_SLOTS:
    void loadRegistry();
    void loadLineage(qint64 modelId);
    void promote(qint64 modelId, const QString &reason);
    void rollBack(const QString &reason);
    void compare(qint64 modelA, qint64 modelB, const QString &datasetTag);
    // The production model's predictions for the waiting images that have none from it.
    void repredict();

Q_SIGNALS:
    void registryReady(const digitdesk::ui::RegistrySnapshot &snapshot);
    void lineageReady(const digitdesk::ui::ModelLineageSummary &lineage);
    void aliasMoved(const QString &message);
    void comparisonProgressed(qint64 done, qint64 total);
    void comparisonReady(const digitdesk::annotation::ModelComparisonResult &result);
    void predictionProgressed(qint64 done, qint64 total);
    // After a re-predict: what was stored, or how far it got before Cancel.
    void predictionsStored(const QString &message);
    void failed(const QString &what, const QString &reason);

private:
    void open();
    // After production moved, or when `asked` (checked and audited in annotation/): its
    // predictions for the unlabelled images; what to tell.
    QString predictNow(bool asked = false);

    QString m_databasePath;
    QString m_root;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_predictionCancel{false};
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::ui::RegistrySnapshot)
Q_DECLARE_METATYPE(digitdesk::ui::ModelLineageSummary)
Q_DECLARE_METATYPE(digitdesk::annotation::ModelComparisonResult)
