#pragma once

#include "storage/actorref.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct ModelRecord
{
    qint64 id = 0;
    QString architecture;
    QDateTime createdAt;
    QString createdBy;
    qint64 trainingRunId = 0; // 0 for an imported model
    QString datasetCommit;    // empty until dataset versions exist for its data
    QString sourceDigest;     // SHA-256 of the training data, or of the imported file
    QString hyperparameters;  // JSON
    QString metrics;          // JSON
    QString filePath;         // relative to the workspace
    QString fileSha256;
    double temperature = 1.0;
    QString note;
};

struct AliasMove
{
    qint64 id = 0;
    QString alias;
    qint64 fromModelId = 0; // 0 when the alias pointed nowhere before
    qint64 toModelId = 0;
    QDateTime movedAt;
    QString movedBy;
    QString reason;
};

// The model registry: models, the `production` and `candidate` aliases and an append-only
// history of every alias move, so "what served at 10:00 on 3 March" has an answer. Training
// runs are in TrainingRunRepository.
class ModelRepository final
{
public:
    explicit ModelRepository(const QSqlDatabase &db) : m_db(db) {}

    // Inserts the row; the caller holds a transaction and puts the file in place before commit.
    qint64 addModel(const ModelRecord &model, const ActorRef &actor);
    // Models are named by their id, known only once the row exists: set within the transaction.
    void setFilePath(qint64 id, const QString &filePath);
    std::optional<ModelRecord> findModel(qint64 id) const;
    std::vector<ModelRecord> listModels() const;

    std::optional<qint64> aliasTarget(const QString &alias) const;
    // Which model the alias named at `time` (from the history of moves).
    std::optional<qint64> aliasTargetAt(const QString &alias, const QDateTime &time) const;
    void moveAlias(const QString &alias, qint64 modelId, const ActorRef &actor,
                   const QString &reason);
    std::vector<AliasMove> aliasHistory() const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
