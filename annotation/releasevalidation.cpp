#include "annotation/releasevalidation.h"

#include "annotation/datasetservice.h"
#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/splitbaselines.h"
#include "annotation/trainingruns.h"
#include "annotation/userservice.h"
#include "storage/datasetversionrepository.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <map>

namespace digitdesk::annotation {
namespace {

const QString SourceSlice = QStringLiteral("image source");
const QString MonthSlice = QStringLiteral("month imported");
const QString ClassSlice = QStringLiteral("predicted class");

// This workspace's own version of the commit before a pulled one; empty when none.
QString tagOfCommit(const QSqlDatabase &db, const QString &commitId)
{
    if (commitId.isEmpty()) {
        return {};
    }
    QString tag;
    for (const storage::DatasetVersionRecord &version :
         storage::DatasetVersionRepository(db).list()) {
        if (version.commitId == commitId && (tag.isEmpty() || version.origin.isEmpty())) {
            tag = version.tag;
        }
    }
    return tag;
}

} // namespace

HumanBaseline humanBaseline(const QualityReport &report)
{
    HumanBaseline human;
    for (const AnnotatorQuality &annotator : report.annotators) {
        ++human.annotators;
        human.goldAnswered += annotator.goldAnswered;
        if (annotator.goldAnswered > 0) {
            human.goldRight +=
                static_cast<int>(std::lround(annotator.goldAccuracy * annotator.goldAnswered));
        }
        human.reviewed += annotator.reviewed;
        if (annotator.reviewed > 0) {
            human.approvedAsIs += static_cast<int>(
                std::lround(annotator.agreementWithReviewers * annotator.reviewed));
        }
    }
    if (human.goldAnswered > 0) {
        human.goldAccuracy = static_cast<double>(human.goldRight) / human.goldAnswered;
    }
    if (human.reviewed > 0) {
        human.agreementWithReviewers = static_cast<double>(human.approvedAsIs) / human.reviewed;
    }
    return human;
}

std::vector<SliceAccuracy> accuracyBySlice(const ModelComparisonResult &comparison,
                                           const QHash<qint64, storage::ImageOrigin> &origins)
{
    const auto &labels = comparison.heldOutLabels;
    const auto &candidate = comparison.heldOutAnswers[0];
    const auto &production = comparison.heldOutAnswers[1];
    if (candidate.size() != labels.size() || production.size() != labels.size()) {
        return {};
    }
    std::map<QString, SliceAccuracy> sources;
    std::map<QString, SliceAccuracy> months;
    std::map<int, SliceAccuracy> classes;
    const auto count = [](SliceAccuracy &slice, bool candidateRight, bool productionRight) {
        ++slice.candidateCount;
        ++slice.productionCount;
        slice.candidateRight += candidateRight ? 1 : 0;
        slice.productionRight += productionRight ? 1 : 0;
    };
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool candidateRight = candidate[i].label == labels[i];
        const bool productionRight = production[i].label == labels[i];
        const qint64 imageId =
            i < comparison.heldOutImageIds.size() ? comparison.heldOutImageIds[i] : 0;
        const auto origin = origins.find(imageId);
        const QString source =
            origin == origins.end() ? QStringLiteral("(not in this workspace)") : origin->source;
        const QString month = origin == origins.end()
                                  ? QStringLiteral("(unknown)")
                                  : origin->importedAt.toUTC().toString(QStringLiteral("yyyy-MM"));
        count(sources[source], candidateRight, productionRight);
        count(months[month], candidateRight, productionRight);
        SliceAccuracy &byCandidate = classes[candidate[i].label];
        ++byCandidate.candidateCount;
        byCandidate.candidateRight += candidateRight ? 1 : 0;
        SliceAccuracy &byProduction = classes[production[i].label];
        ++byProduction.productionCount;
        byProduction.productionRight += productionRight ? 1 : 0;
    }
    std::vector<SliceAccuracy> bySource;
    for (auto &[name, slice] : sources) {
        slice.kind = SourceSlice;
        slice.slice = name;
        bySource.push_back(slice);
    }
    std::stable_sort(bySource.begin(), bySource.end(), [](const auto &a, const auto &b) {
        return a.candidateCount > b.candidateCount;
    });
    std::vector<SliceAccuracy> slices = bySource;
    for (auto &[name, slice] : months) {
        slice.kind = MonthSlice;
        slice.slice = name;
        slices.push_back(slice);
    }
    for (auto &[label, slice] : classes) {
        slice.kind = ClassSlice;
        slice.slice = QString::number(label);
        slices.push_back(slice);
    }
    return slices;
}

ReleaseValidation::ReleaseValidation(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

std::vector<ReleaseCandidate> ReleaseValidation::candidates(const Principal &who, int recent) const
{
    m_access.require(who, Action::ViewValidation);
    const ReleaseSignOff signOff(m_db);
    const ModelRegistry registry(m_db, m_root);
    const std::optional<qint64> production = registry.production();
    const auto candidateOf = [&](const storage::ModelRecord &model) {
        ReleaseCandidate candidate;
        candidate.model = model;
        candidate.status = signOff.statusOf(model.id);
        const std::vector<ReleaseDecision> history = signOff.historyOf(model.id);
        if (!history.empty()) {
            candidate.latest = history.back();
        }
        candidate.isProduction = production && *production == model.id;
        candidate.datasetTag = tagOfCommit(m_db, model.datasetCommit);
        candidate.recordedAccuracy = recordedHeldOutAccuracy(model.metrics);
        return candidate;
    };
    std::vector<ReleaseCandidate> list;
    const std::vector<qint64> waiting = signOff.waiting(who);
    for (qint64 id : waiting) {
        list.push_back(candidateOf(registry.find(id)));
    }
    std::vector<ReleaseCandidate> decided;
    for (const storage::ModelRecord &model : registry.list()) {
        if (std::find(waiting.begin(), waiting.end(), model.id) != waiting.end()) {
            continue;
        }
        ReleaseCandidate candidate = candidateOf(model);
        if (candidate.latest) {
            decided.push_back(std::move(candidate));
        }
    }
    std::stable_sort(decided.begin(), decided.end(), [](const auto &a, const auto &b) {
        return a.latest->decidedAt > b.latest->decidedAt;
    });
    if (decided.size() > static_cast<size_t>(std::max(0, recent))) {
        decided.resize(static_cast<size_t>(std::max(0, recent)));
    }
    list.insert(list.end(), decided.begin(), decided.end());
    return list;
}

models::Baselines ReleaseValidation::baselinesOn(const Principal &who, const QString &tag) const
{
    const QTemporaryDir folder;
    if (!folder.isValid()) {
        throw InvalidRequest(QStringLiteral("cannot check out %1 for its baselines: %2")
                                 .arg(tag, folder.errorString()));
    }
    const auto [imagesPath, labelsPath] =
        DatasetService(m_db, m_root).versionFiles(who, tag, folder.path());
    const IdxArray images = readIdxFile(imagesPath);
    const IdxArray labels = readIdxFile(labelsPath);
    models::LabelledImages data;
    data.pixels.assign(images.data.begin(), images.data.end());
    data.labels.assign(labels.data.begin(), labels.data.end());
    if (data.pixels.size() != data.labels.size() * models::PixelCount) {
        throw InvalidRequest(
            QStringLiteral("%1: its training files are not one 28x28 image per label").arg(tag));
    }
    const HeldOutSplit split = heldOutSplit(data.count());
    return baselinesOnSplit(data, split, split.heldOut);
}

ReleaseEvidence ReleaseValidation::evidence(const Principal &who, qint64 modelId,
                                            const ModelComparison::Progress &progress,
                                            const std::atomic<bool> *cancel) const
{
    m_access.require(who, Action::ViewValidation, QStringLiteral("model:%1").arg(modelId));
    const ModelRegistry registry(m_db, m_root);
    ReleaseEvidence evidence;
    evidence.model = registry.find(modelId);
    evidence.productionId = registry.production();
    evidence.trainedOn = tagOfCommit(m_db, evidence.model.datasetCommit);
    if (evidence.model.trainingRunId > 0) {
        evidence.run = TrainingRuns(m_db, m_root).find(who, evidence.model.trainingRunId);
    }
    QString tag = evidence.trainedOn;
    if (tag.isEmpty() && evidence.productionId) {
        tag = tagOfCommit(m_db, registry.find(*evidence.productionId).datasetCommit);
    }
    if (tag.isEmpty()) {
        throw InvalidRequest(QStringLiteral("model %1 was not trained on a dataset version here, "
                                            "and neither was production: there is no held-out "
                                            "split to judge it on")
                                 .arg(modelId));
    }
    ComparisonRequest request;
    request.modelA = QString::number(modelId);
    request.modelB = QString::number(evidence.productionId.value_or(modelId));
    request.datasetTag = tag;
    evidence.comparison = ModelComparison(m_db, m_root).compare(who, request, progress, cancel);
    if (evidence.comparison.cancelled) {
        evidence.cancelled = true;
        return evidence;
    }
    evidence.baselines = baselinesOn(who, tag);
    evidence.human = humanBaseline(qualityReport(m_db, who));
    evidence.slices = accuracyBySlice(
        evidence.comparison,
        storage::TeamFiguresRepository(m_db).originsOf(evidence.comparison.heldOutImageIds));
    evidence.checklist = checkRelease(evidence.comparison.heldOut.a, ChecklistSettings::read(m_db));
    evidence.checklist.push_back(dataCheckItem(m_db, tag));
    const ReleaseSignOff signOff(m_db);
    evidence.status = signOff.statusOf(modelId);
    evidence.decisions = signOff.historyOf(modelId);
    evidence.waived = signOff.waived();
    return evidence;
}

} // namespace digitdesk::annotation
