#include "annotation/shadowfigures.h"

#include "annotation/modelregistry.h"
#include "storage/imagerepository.h"
#include "storage/modelrepository.h"

#include <algorithm>

namespace digitdesk::annotation {
namespace {

qint64 minuteOf(const QDateTime &time)
{
    return time.toSecsSinceEpoch() / 60;
}

// About 60 points over the span, whole minutes each.
qint64 bucketMinutesFor(qint64 spanMinutes)
{
    return std::max<qint64>(1, (spanMinutes + 59) / 60);
}

} // namespace

ShadowFigures ShadowMonitor::report(const Principal &who, const QDateTime &from,
                                    const QDateTime &to, int latestCount) const
{
    m_access.require(who, Action::ViewMonitoring, QStringLiteral("shadow"));
    const storage::ShadowRepository repository(m_db);
    const qint64 first = minuteOf(from);
    const qint64 last = minuteOf(to);
    ShadowFigures figures;
    figures.pair = repository.latestPair(first, last);
    if (!figures.pair) {
        return figures;
    }
    figures.bucketMinutes = bucketMinutesFor(last - first + 1);
    figures.buckets = repository.buckets(*figures.pair, first, last, figures.bucketMinutes);
    for (const storage::ShadowBucket &bucket : figures.buckets) {
        figures.compared += bucket.compared;
        figures.agreed += bucket.agreed;
    }
    figures.confusion = repository.confusion(*figures.pair, first, last);
    std::vector<qint64> ids;
    for (const storage::ModelDisagreement &row :
         repository.latestDisagreements(*figures.pair, latestCount)) {
        figures.latest.push_back({row, {}});
        ids.push_back(row.imageId);
    }
    const auto pixels = storage::ImageRepository(m_db).pixels(ids);
    for (ShownDisagreement &shown : figures.latest) {
        shown.pixels = pixels.value(shown.disagreement.imageId);
    }
    return figures;
}

ExperimentStatus ShadowMonitor::status(const Principal &who) const
{
    m_access.require(who, Action::ViewMonitoring, QStringLiteral("shadow"));
    const ServingExperiment experiment(m_db);
    const storage::ModelRepository models(m_db);
    return {experiment.settings(), experiment.lastCanaryStop(), models.aliasTarget(ProductionAlias),
            models.aliasTarget(CandidateAlias)};
}

QString describeDisagreement(const storage::ModelDisagreement &disagreement)
{
    return QStringLiteral("production (model %1) said %2 at %3%, candidate (model %4) said %5 at "
                          "%6%")
        .arg(disagreement.productionModelId)
        .arg(disagreement.productionLabel)
        .arg(disagreement.productionConfidence * 100, 0, 'f', 0)
        .arg(disagreement.candidateModelId)
        .arg(disagreement.candidateLabel)
        .arg(disagreement.candidateConfidence * 100, 0, 'f', 0);
}

} // namespace digitdesk::annotation
