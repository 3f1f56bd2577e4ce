#include "annotation/modelcomparison.h"

#include "annotation/modelregistry.h"
#include "annotation/private/comparisonsets.h"
#include "models/predictor.h"
#include "storage/datasetversionrepository.h"

#include <QHash>

#include <algorithm>
#include <array>
#include <map>
#include <memory>

namespace digitdesk::annotation {
namespace {

// The trainer measures its held-out split in batches of this size: the same batches give the
// same answers to the last bit.
constexpr int AnswerBatch = 512;

// Counts the images answered across both models and sets, and reads the cancel flag.
struct Work
{
    qint64 done = 0;
    qint64 total = 0;
    const ModelComparison::Progress &progress;
    const std::atomic<bool> *cancel;
    bool cancelled() const { return cancel && cancel->load(); }
};

// Returns false when cancelled before every image was answered.
bool answerAll(models::Predictor &predictor, const EvaluationSet &set, std::vector<Answer> *answers,
               Work &work)
{
    answers->reserve(set.count());
    for (size_t first = 0; first < set.count(); first += AnswerBatch) {
        if (work.cancelled()) {
            return false;
        }
        const auto count = static_cast<int>(std::min<size_t>(AnswerBatch, set.count() - first));
        for (const models::Prediction &prediction :
             predictor.predict(set.pixels.data() + first * models::PixelCount, count)) {
            answers->push_back({prediction.label, prediction.confidence});
        }
        work.done += count;
        if (work.progress) {
            work.progress(work.done, work.total);
        }
    }
    return true;
}

// The tag of the version holding `commitId`: this workspace's own before a pulled one.
QString tagOfCommit(std::vector<DatasetVersion> versions, const QString &commitId)
{
    std::stable_sort(versions.begin(), versions.end(), [](const auto &a, const auto &b) {
        return a.origin.isEmpty() && !b.origin.isEmpty();
    });
    for (const DatasetVersion &version : versions) {
        if (!commitId.isEmpty() && version.commitId == commitId) {
            return version.tag;
        }
    }
    return {};
}

// A model that learnt from images of the set looks better on it than it is: the verdict says so
// rather than letting a reader promote on it.
void warnAboutLearntImages(SetComparison &set, const QString &nameA, const QString &nameB)
{
    if (set.count == 0) {
        return;
    }
    QStringList caveats;
    for (const auto &[name, figures] : {std::pair{nameA, &set.a}, std::pair{nameB, &set.b}}) {
        if (figures->learntFrom < 0) {
            caveats << QStringLiteral("it is unknown what %1 learnt from (not a dataset version "
                                      "here)")
                           .arg(name);
        } else if (figures->learntFrom > 0) {
            caveats << QStringLiteral("%1 learnt from %2 of these %3 images")
                           .arg(name)
                           .arg(figures->learntFrom)
                           .arg(set.count);
        }
    }
    if (!caveats.isEmpty()) {
        set.verdict +=
            QStringLiteral("; not a fair test: %1").arg(caveats.join(QStringLiteral("; ")));
    }
}

} // namespace

ModelComparison::ModelComparison(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

ModelComparisonResult ModelComparison::compare(const Principal &who,
                                               const ComparisonRequest &request,
                                               const Progress &progress,
                                               const std::atomic<bool> *cancel) const
{
    m_access.require(who, Action::ViewModels,
                     QStringLiteral("compare %1 with %2 on %3")
                         .arg(request.modelA, request.modelB, request.datasetTag));
    const ModelRegistry registry(m_db, m_root);
    const DatasetService datasets(m_db, m_root);
    const std::array<storage::ModelRecord, 2> records = {
        registry.find(registry.resolve(request.modelA)),
        registry.find(registry.resolve(request.modelB))};
    ModelComparisonResult result;
    result.version = datasets.version(who, request.datasetTag);
    const QString tag = result.version.tag;
    const std::vector<DatasetVersion> versions = datasets.versions(who);
    std::map<QString, std::vector<DatasetRow>> rowsByTag;
    const auto rowsOf = [&](const QString &versionTag) -> const std::vector<DatasetRow> & {
        auto found = rowsByTag.find(versionTag);
        if (found == rowsByTag.end()) {
            found = rowsByTag.emplace(versionTag, datasets.rows(who, versionTag)).first;
        }
        return found->second;
    };

    const std::vector<storage::ApprovedImage> approved =
        storage::DatasetVersionRepository(m_db).approvedImages();
    QHash<QString, qint64> imageIds;
    for (const storage::ApprovedImage &image : approved) {
        imageIds.insert(image.sha256, image.imageId);
    }
    const EvaluationSet heldOut = comparisonsets::heldOut(datasets, who, tag, imageIds);
    const EvaluationSet newer = comparisonsets::approvedSince(m_db, approved, rowsOf(tag), tag);

    // Both are opened before any work, so a refused file stops the comparison at once.
    const std::array<std::unique_ptr<models::Predictor>, 2> predictors = {
        registry.openPredictor(records[0].id, request.device),
        registry.openPredictor(records[1].id, request.device)};
    Work work{0, 2 * static_cast<qint64>(heldOut.count() + newer.count()), progress, cancel};
    std::array<std::vector<Answer>, 2> heldOutAnswers;
    std::array<std::vector<Answer>, 2> newerAnswers;
    for (size_t m = 0; m < 2; ++m) {
        if (!answerAll(*predictors[m], heldOut, &heldOutAnswers[m], work) ||
            !answerAll(*predictors[m], newer, &newerAnswers[m], work)) {
            result.cancelled = true;
            return result;
        }
    }

    const QString nameA = QStringLiteral("model %1").arg(records[0].id);
    const QString nameB = QStringLiteral("model %1").arg(records[1].id);
    result.heldOut = compareAnswers(heldOut, heldOutAnswers[0], heldOutAnswers[1], nameA, nameB,
                                    request.maxDisagreements);
    result.newer = compareAnswers(newer, newerAnswers[0], newerAnswers[1], nameA, nameB,
                                  request.maxDisagreements);
    for (size_t m = 0; m < 2; ++m) {
        ComparedModel &model = m == 0 ? result.a : result.b;
        model.id = records[m].id;
        model.temperature = predictors[m]->temperature();
        model.datasetCommit = records[m].datasetCommit;
        model.trainedOn = tagOfCommit(versions, records[m].datasetCommit);
        if (model.trainedOn.isEmpty()) {
            continue; // what it learnt from is not a version here: unknown
        }
        const QSet<QString> learnt =
            comparisonsets::learntFrom(rowsOf(model.trainedOn), records[m].hyperparameters);
        (m == 0 ? result.heldOut.a : result.heldOut.b).learntFrom =
            comparisonsets::countIn(heldOut, learnt);
        (m == 0 ? result.newer.a : result.newer.b).learntFrom =
            comparisonsets::countIn(newer, learnt);
    }
    // Whoever may read models but not images (a manager) gets the disagreements without them.
    const bool showsImages = isAllowed(who.role, Action::ViewImages);
    for (SetComparison *set : {&result.heldOut, &result.newer}) {
        warnAboutLearntImages(*set, nameA, nameB);
        for (Disagreement &disagreement : set->disagreements) {
            if (!showsImages) {
                disagreement.pixels.clear();
            }
        }
    }
    result.heldOutImageIds = heldOut.imageIds;
    result.heldOutLabels = heldOut.labels;
    result.heldOutAnswers = std::move(heldOutAnswers);
    return result;
}

} // namespace digitdesk::annotation
