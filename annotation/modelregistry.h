#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/modelimportcheck.h"
#include "annotation/modelrefused.h"
#include "annotation/principal.h"
#include "models/architecture.h"
#include "models/computedevice.h"
#include "storage/modelrepository.h"

#include <QSqlDatabase>
#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace digitdesk::models {
class Predictor;
}

namespace digitdesk::annotation {

inline const QString ProductionAlias = QStringLiteral("production");
inline const QString CandidateAlias = QStringLiteral("candidate");

// What the registry needs to know of a finished training run.
struct TrainedModel
{
    QString file; // where the trainer saved it; moved into the workspace
    models::Architecture architecture = models::Architecture::DigitNet;
    double temperature = 1.0;
    QString hyperparameters; // JSON
    QString metrics;         // JSON
    QString dataDigest;
    QString datasetCommit;
};

// The registry with its rules: only ml_engineer and admin train, import or move an alias
// (checked here and audited); model files live in the workspace's models/ folder named by
// their id and are checked against their SHA-256 before every load.
class ModelRegistry final
{
public:
    ModelRegistry(const QSqlDatabase &db, QString workspaceRoot);

    qint64 beginTraining(const Principal &who, const QString &dataSource, const QString &dataDigest,
                         const QString &hyperparameters);
    // Moves the file in place and inserts the row in one transaction; returns the model id.
    qint64 registerTrained(const Principal &who, qint64 runId, const TrainedModel &model);
    void endTrainingWithoutModel(const Principal &who, qint64 runId, const QString &status,
                                 const QString &message);
    // Reads the file once (up to MaxModelFileBytes), has the import check run those bytes in a
    // sandboxed child (finite [N,10] logits for batches of 1, 2 and 7), then writes the same
    // bytes into models/ and the row with their digest; refuses the file with the reason
    // otherwise, leaving no row and no file. `report` receives what the check saw.
    qint64 importTorchScript(const Principal &who, const QString &file, const QString &note,
                             ModelCheckReport *report = nullptr);
    // The child importTorchScript() runs models in; by default this program and its limits.
    void setImportCheck(ModelImportCheck check) { m_importCheck = std::move(check); }
    void moveAlias(const Principal &who, const QString &alias, qint64 modelId,
                   const QString &reason);
    // Makes the model production (refused when it is already, or without a reason). Production
    // moves only to a model approved for release by someone who did not train it, unless the
    // workspace waives the sign-off (ReleaseSignOff), or the model served before and was not
    // rejected since; moveAlias keeps the same rule for production.
    void promote(const Principal &who, qint64 modelId, const QString &reason);
    // Why promote() would refuse the model for want of a release approval; nothing when it
    // would not.
    std::optional<QString> promotionBlocker(qint64 modelId) const;
    // Moves production back to the model that was production before the current one was
    // promoted. Rollbacks undo promotions in turn: a second one goes back one more, never
    // forward to the model just rolled back. Refused with the reason when there is none. It
    // needs no release approval: the model served before.
    // Returns the model that is production now.
    qint64 rollBack(const Principal &who, const QString &reason);
    // The model rollBack() would make production; nullopt when there is none.
    std::optional<qint64> rollBackTarget() const;

    std::vector<storage::ModelRecord> list() const;
    // What the Models view shows of the registry, for someone who may see it (ViewModels):
    // the models, where the aliases point, and every move of them.
    struct Snapshot
    {
        std::vector<storage::ModelRecord> models;
        std::map<QString, qint64> aliases;
        std::vector<storage::AliasMove> history;
    };
    Snapshot snapshot(const Principal &who) const;
    storage::ModelRecord find(qint64 id) const;     // throws InvalidRequest
    qint64 resolve(const QString &idOrAlias) const; // "7", "production", "candidate"
    std::optional<qint64> production() const;
    std::vector<storage::AliasMove> history() const;
    QString absolutePath(const storage::ModelRecord &model) const;

    // Reads the file once, verifies the digest of those bytes and loads them; throws
    // ModelRefused with the path and the reason.
    std::unique_ptr<models::Predictor> openPredictor(qint64 id, models::DeviceRequest device) const;

    static QString fileDigest(const QString &path);

private:
    void moveProduction(const Principal &who, qint64 modelId, const QString &reason,
                        const QString &what, std::optional<qint64> seenProduction);

    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
    ModelImportCheck m_importCheck;
};

} // namespace digitdesk::annotation
