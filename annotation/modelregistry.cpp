#include "annotation/modelregistry.h"

#include "annotation/releasesignoff.h"
#include "annotation/servingexperiment.h"
#include "annotation/userservice.h"
#include "models/predictor.h"
#include "storage/trainingrunrepository.h"
#include "storage/transaction.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace digitdesk::annotation {
namespace {

// Puts `source` at `target` (same filesystem: a rename; else a copy), so that a model file is
// either absent or whole.
void placeFile(const QString &source, const QString &target, bool keepSource)
{
    QFile::remove(target);
    if (!keepSource && QFile::rename(source, target)) {
        return;
    }
    const QString partial = target + QStringLiteral(".partial");
    QFile::remove(partial);
    if (!QFile::copy(source, partial) || !QFile::rename(partial, target)) {
        QFile::remove(partial);
        throw ModelRefused(QStringLiteral("cannot copy %1 to %2").arg(source, target));
    }
    if (!keepSource) {
        QFile::remove(source);
    }
}

// The whole file, read once: what is hashed is what is checked, stored and loaded.
QByteArray readModelFile(const QString &path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile()) {
        throw ModelRefused(QStringLiteral("model file %1 is not a file").arg(path));
    }
    if (!file.open(QIODevice::ReadOnly)) {
        throw ModelRefused(
            QStringLiteral("model file %1 cannot be read: %2").arg(path, file.errorString()));
    }
    QByteArray bytes = file.read(MaxModelFileBytes + 1);
    if (bytes.size() > MaxModelFileBytes) {
        throw ModelRefused(QStringLiteral("model file %1 is larger than %2 MB: refused")
                               .arg(path)
                               .arg(MaxModelFileBytes >> 20));
    }
    if (file.error() != QFileDevice::NoError) {
        throw ModelRefused(
            QStringLiteral("model file %1 cannot be read: %2").arg(path, file.errorString()));
    }
    return bytes;
}

QString digestOf(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// Writes `bytes` at `target` through a temporary file and a rename, so that a model file is
// either absent or whole.
void writeModelFile(const QByteArray &bytes, const QString &target)
{
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        throw ModelRefused(QStringLiteral("cannot write %1: %2").arg(target, file.errorString()));
    }
}

} // namespace

ModelRegistry::ModelRegistry(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

QString ModelRegistry::fileDigest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw ModelRefused(
            QStringLiteral("model file %1 cannot be read: %2").arg(path, file.errorString()));
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

QString ModelRegistry::absolutePath(const storage::ModelRecord &model) const
{
    return QDir(m_root).filePath(model.filePath);
}

qint64 ModelRegistry::beginTraining(const Principal &who, const QString &dataSource,
                                    const QString &dataDigest, const QString &hyperparameters)
{
    m_access.require(who, Action::TrainModel, dataSource);
    storage::NewTrainingRun run;
    run.dataSource = dataSource;
    run.dataDigest = dataDigest;
    run.hyperparameters = hyperparameters;
    storage::Transaction transaction(m_db);
    const qint64 runId = storage::TrainingRunRepository(m_db).start(run, who.actorRef());
    m_access.audit(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId),
                   QStringLiteral("started on %1").arg(dataSource));
    transaction.commit();
    return runId;
}

qint64 ModelRegistry::registerTrained(const Principal &who, qint64 runId,
                                      const TrainedModel &trained)
{
    m_access.require(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId));
    storage::ModelRepository repository(m_db);
    storage::ModelRecord record;
    record.architecture = models::toString(trained.architecture);
    record.trainingRunId = runId;
    record.datasetCommit = trained.datasetCommit;
    record.sourceDigest = trained.dataDigest;
    record.hyperparameters = trained.hyperparameters;
    record.metrics = trained.metrics;
    record.fileSha256 = fileDigest(trained.file);
    record.temperature = trained.temperature;
    record.filePath = QStringLiteral("models/unplaced");

    storage::Transaction transaction(m_db);
    const qint64 id = repository.addModel(record, who.actorRef());
    const QString relative = QStringLiteral("models/%1.pt").arg(id);
    repository.setFilePath(id, relative);
    // A run that ended meanwhile (cancelled from the GUI, or found stale) registers nothing.
    if (!storage::TrainingRunRepository(m_db).finish(runId, QStringLiteral("finished"),
                                                     QStringLiteral("model %1").arg(id),
                                                     trained.metrics, id, {})) {
        throw InvalidRequest(
            QStringLiteral("training run %1 is no longer running: its model is not registered")
                .arg(runId));
    }
    m_access.audit(who, Action::TrainModel, QStringLiteral("model:%1").arg(id),
                   QStringLiteral("registered from run %1").arg(runId));
    const QString target = QDir(m_root).filePath(relative);
    placeFile(trained.file, target, false);
    try {
        transaction.commit();
    } catch (...) {
        QFile::remove(target); // no file without its row, no row without its file
        throw;
    }
    return id;
}

void ModelRegistry::endTrainingWithoutModel(const Principal &who, qint64 runId,
                                            const QString &status, const QString &message)
{
    storage::Transaction transaction(m_db);
    storage::TrainingRunRepository(m_db).finish(runId, status, message, {}, 0, {});
    m_access.audit(who, Action::TrainModel, QStringLiteral("run:%1").arg(runId),
                   QStringLiteral("%1: %2").arg(status, message));
    transaction.commit();
}

qint64 ModelRegistry::importTorchScript(const Principal &who, const QString &file,
                                        const QString &note, ModelCheckReport *report)
{
    m_access.require(who, Action::ImportModel, file);
    const QByteArray bytes = readModelFile(file);
    const ModelCheckReport checked = m_importCheck.check(bytes, file);
    storage::ModelRepository repository(m_db);
    storage::ModelRecord record;
    record.architecture = models::toString(models::Architecture::TorchScript);
    record.fileSha256 = digestOf(bytes);
    record.sourceDigest = record.fileSha256;
    record.temperature = 1.0;
    record.note = note.isEmpty()
                      ? QStringLiteral("imported from %1").arg(QFileInfo(file).absoluteFilePath())
                      : note;
    record.filePath = QStringLiteral("models/unplaced");

    storage::Transaction transaction(m_db);
    const qint64 id = repository.addModel(record, who.actorRef());
    const QString relative = QStringLiteral("models/%1.pt").arg(id);
    repository.setFilePath(id, relative);
    m_access.audit(who, Action::ImportModel, QStringLiteral("model:%1").arg(id),
                   QStringLiteral("TorchScript from %1, checked in a child process (%2)")
                       .arg(file, checked.sandbox));
    const QString target = QDir(m_root).filePath(relative);
    writeModelFile(bytes, target);
    try {
        transaction.commit();
    } catch (...) {
        QFile::remove(target);
        throw;
    }
    if (report) {
        *report = checked;
    }
    return id;
}

void ModelRegistry::moveAlias(const Principal &who, const QString &alias, qint64 modelId,
                              const QString &reason)
{
    m_access.require(who, Action::MoveModelAlias,
                     QStringLiteral("%1 -> model:%2").arg(alias).arg(modelId));
    if (alias != ProductionAlias && alias != CandidateAlias) {
        throw InvalidRequest(
            QStringLiteral("'%1' is not an alias: use production or candidate").arg(alias));
    }
    if (reason.trimmed().isEmpty()) {
        throw InvalidRequest(QStringLiteral("moving %1 needs a reason").arg(alias));
    }
    const storage::ModelRecord model = find(modelId);
    if (alias == ProductionAlias) {
        if (const auto blocker = promotionBlocker(modelId)) {
            throw InvalidRequest(*blocker);
        }
    }
    // A damaged or unloadable model never becomes an alias: load it once now.
    openPredictor(model.id, models::DeviceRequest::Cpu);
    storage::Transaction transaction(m_db);
    storage::ModelRepository(m_db).moveAlias(alias, modelId, who.actorRef(), reason);
    m_access.audit(who, Action::MoveModelAlias,
                   QStringLiteral("%1 -> model:%2").arg(alias).arg(modelId), reason);
    if (alias == ProductionAlias) {
        ServingExperiment::endCanaryOnPromotion(m_db, modelId);
    }
    transaction.commit();
}

void ModelRegistry::promote(const Principal &who, qint64 modelId, const QString &reason)
{
    m_access.require(who, Action::MoveModelAlias, QStringLiteral("promote model:%1").arg(modelId));
    if (reason.trimmed().isEmpty()) {
        throw InvalidRequest(
            QStringLiteral("promoting model %1 needs a reason: why it should serve").arg(modelId));
    }
    const std::optional<qint64> current = production();
    if (current && *current == modelId) {
        throw InvalidRequest(QStringLiteral("model %1 is in production already").arg(modelId));
    }
    find(modelId); // an unknown model is refused as such, not as unapproved
    if (const auto blocker = promotionBlocker(modelId)) {
        throw InvalidRequest(*blocker);
    }
    moveProduction(who, modelId, reason, QStringLiteral("promote"), current);
}

std::optional<QString> ModelRegistry::promotionBlocker(qint64 modelId) const
{
    const ReleaseSignOff signOff(m_db);
    // Going back to a model that served is a rollback, whichever command does it, unless ML QA
    // has rejected that model since.
    if (signOff.statusOf(modelId) != ReleaseStatus::Rejected) {
        for (const storage::AliasMove &move : history()) {
            if (move.alias == ProductionAlias && move.toModelId == modelId) {
                return std::nullopt;
            }
        }
    }
    return signOff.releaseBlocker(modelId);
}

std::optional<qint64> ModelRegistry::rollBackTarget() const
{
    // Production's promotions as a stack: a move back to the model under the top is a
    // rollback (whichever command made it) and takes the top off; any other move is pushed.
    std::vector<qint64> promotions;
    for (const storage::AliasMove &move : history()) {
        if (move.alias != ProductionAlias) {
            continue;
        }
        if (promotions.size() >= 2 && promotions[promotions.size() - 2] == move.toModelId) {
            promotions.pop_back();
        } else if (promotions.empty() || promotions.back() != move.toModelId) {
            promotions.push_back(move.toModelId);
        }
    }
    if (promotions.size() < 2) {
        return std::nullopt;
    }
    return promotions[promotions.size() - 2];
}

qint64 ModelRegistry::rollBack(const Principal &who, const QString &reason)
{
    m_access.require(who, Action::MoveModelAlias, QStringLiteral("roll back production"));
    if (reason.trimmed().isEmpty()) {
        throw InvalidRequest(QStringLiteral("rolling production back needs a reason: what is "
                                            "wrong with the model serving now"));
    }
    const std::optional<qint64> current = production();
    if (!current) {
        throw InvalidRequest(QStringLiteral("nothing to roll back: no model is production yet"));
    }
    const std::optional<qint64> target = rollBackTarget();
    if (!target) {
        throw InvalidRequest(QStringLiteral("nothing to roll back to: model %1 is the first "
                                            "production model (or every earlier one was rolled "
                                            "back already)")
                                 .arg(*current));
    }
    moveProduction(who, *target, reason, QStringLiteral("roll back from model %1").arg(*current),
                   current);
    return *target;
}

void ModelRegistry::moveProduction(const Principal &who, qint64 modelId, const QString &reason,
                                   const QString &what, std::optional<qint64> seenProduction)
{
    const storage::ModelRecord model = find(modelId);
    // A damaged or unloadable model never becomes production: load it once now.
    openPredictor(model.id, models::DeviceRequest::Cpu);
    const QString target = QStringLiteral("%1 -> model:%2").arg(ProductionAlias).arg(modelId);
    storage::Transaction transaction(m_db);
    // Decided on what production was when we looked: someone else's move since then wins.
    const std::optional<qint64> now = storage::ModelRepository(m_db).aliasTarget(ProductionAlias);
    if (now != seenProduction) {
        throw InvalidRequest(QStringLiteral("production moved meanwhile (it is model %1 now); "
                                            "look at the registry again")
                                 .arg(now ? QString::number(*now) : QStringLiteral("none")));
    }
    storage::ModelRepository(m_db).moveAlias(ProductionAlias, modelId, who.actorRef(), reason);
    m_access.audit(who, Action::MoveModelAlias, target, QStringLiteral("%1: %2").arg(what, reason));
    ServingExperiment::endCanaryOnPromotion(m_db, modelId);
    transaction.commit();
}

std::vector<storage::ModelRecord> ModelRegistry::list() const
{
    return storage::ModelRepository(m_db).listModels();
}

storage::ModelRecord ModelRegistry::find(qint64 id) const
{
    const auto model = storage::ModelRepository(m_db).findModel(id);
    if (!model) {
        throw InvalidRequest(QStringLiteral("there is no model %1").arg(id));
    }
    return *model;
}

qint64 ModelRegistry::resolve(const QString &idOrAlias) const
{
    if (idOrAlias == ProductionAlias || idOrAlias == CandidateAlias) {
        const auto target = storage::ModelRepository(m_db).aliasTarget(idOrAlias);
        if (!target) {
            throw InvalidRequest(QStringLiteral("no model is %1 yet").arg(idOrAlias));
        }
        return *target;
    }
    bool ok = false;
    const qint64 id = idOrAlias.toLongLong(&ok);
    if (!ok || id <= 0) {
        throw InvalidRequest(
            QStringLiteral("'%1' is neither a model id nor production or candidate")
                .arg(idOrAlias));
    }
    return find(id).id;
}

std::optional<qint64> ModelRegistry::production() const
{
    return storage::ModelRepository(m_db).aliasTarget(ProductionAlias);
}

ModelRegistry::Snapshot ModelRegistry::snapshot(const Principal &who) const
{
    m_access.require(who, Action::ViewModels, QStringLiteral("model registry"));
    const storage::ModelRepository repository(m_db);
    Snapshot snapshot;
    snapshot.models = repository.listModels();
    for (const QString &alias : {ProductionAlias, CandidateAlias}) {
        if (const auto target = repository.aliasTarget(alias)) {
            snapshot.aliases.emplace(alias, *target);
        }
    }
    snapshot.history = repository.aliasHistory();
    return snapshot;
}

std::vector<storage::AliasMove> ModelRegistry::history() const
{
    return storage::ModelRepository(m_db).aliasHistory();
}

std::unique_ptr<models::Predictor> ModelRegistry::openPredictor(qint64 id,
                                                                models::DeviceRequest device) const
{
    const storage::ModelRecord model = find(id);
    const QString path = absolutePath(model);
    if (!QFileInfo::exists(path)) {
        throw ModelRefused(QStringLiteral("model %1: file %2 is missing").arg(id).arg(path));
    }
    const QByteArray bytes = readModelFile(path);
    const QString digest = digestOf(bytes);
    if (digest != model.fileSha256) {
        throw ModelRefused(QStringLiteral("model %1: file %2 has changed since it was registered "
                                          "(SHA-256 %3, registered %4)")
                               .arg(id)
                               .arg(path, digest, model.fileSha256));
    }
    const auto architecture = models::architectureFromString(model.architecture);
    if (!architecture) {
        throw ModelRefused(
            QStringLiteral("model %1: unknown architecture '%2'").arg(id).arg(model.architecture));
    }
    try {
        return models::Predictor::loadFromBytes(bytes, path, *architecture, model.temperature,
                                                device);
    } catch (const std::exception &error) {
        throw ModelRefused(
            QStringLiteral("model %1: %2").arg(id).arg(QString::fromUtf8(error.what())));
    }
}

} // namespace digitdesk::annotation
