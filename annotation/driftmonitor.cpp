#include "annotation/driftmonitor.h"

#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/datasetversionrepository.h"
#include "storage/modelrepository.h"
#include "storage/settingsrepository.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace digitdesk::annotation {
namespace {

qint64 minuteOf(const QDateTime &time)
{
    const qint64 seconds = time.toSecsSinceEpoch();
    return seconds >= 0 ? seconds / 60 : (seconds - 59) / 60;
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

} // namespace

std::optional<double> oodThresholdFromMetrics(const QString &metricsJson)
{
    const QJsonValue threshold = QJsonDocument::fromJson(metricsJson.toUtf8())
                                     .object()
                                     .value(QStringLiteral("ood"))
                                     .toObject()
                                     .value(QStringLiteral("threshold"));
    if (!threshold.isDouble() || !std::isfinite(threshold.toDouble())) {
        return std::nullopt;
    }
    return threshold.toDouble();
}

QStringList DriftReport::alerts() const
{
    QStringList lines;
    if (psi.crossed) {
        lines << QStringLiteral("DRIFT: the classes model %1 answered moved away from its training "
                                "data's (%2): PSI %3 is above the threshold %4")
                     .arg(modelId)
                     .arg(trainingVersion)
                     .arg(*psi.value, 0, 'f', 3)
                     .arg(psi.threshold, 0, 'f', 3);
    }
    if (oodShare.crossed) {
        lines << QStringLiteral("OUT OF DISTRIBUTION: %1 of the %2 images model %3 answered look "
                                "unlike its training data, above the threshold %4")
                     .arg(percent(*oodShare.value))
                     .arg(answers)
                     .arg(modelId)
                     .arg(percent(oodShare.threshold));
    }
    return lines;
}

DriftReport DriftMonitor::report(const Principal &who, const QDateTime &since,
                                 const QDateTime &until, int bucketMinutes) const
{
    m_access.require(who, Action::ViewMonitoring, QStringLiteral("drift"));
    if (!since.isValid() || !until.isValid() || until <= since) {
        throw InvalidRequest(QStringLiteral("a drift window must end after it starts (%1 to %2)")
                                 .arg(since.toString(Qt::ISODate), until.toString(Qt::ISODate)));
    }
    DriftReport report;
    report.since = since.toUTC();
    report.until = until.toUTC();
    report.psi.threshold = setting(PsiThresholdSetting, DefaultPsiThreshold);
    report.oodShare.threshold = setting(OodShareThresholdSetting, DefaultOodShareThreshold);
    const double captureThreshold = setting(LowConfidenceSetting, DefaultLowConfidence);
    // Confidences are kept in bins of 0.05: "low" is every bin wholly below the threshold.
    const int lowBelowBin =
        std::clamp(static_cast<int>(std::floor(captureThreshold * storage::ConfidenceBins + 1e-9)),
                   0, storage::ConfidenceBins);
    report.lowConfidenceBelow = static_cast<double>(lowBelowBin) / storage::ConfidenceBins;

    const qint64 first = minuteOf(report.since);
    const qint64 last = minuteOf(report.until);
    const qint64 span = std::max<qint64>(1, last - first);
    const qint64 fewest = (span + MostBuckets - 1) / MostBuckets;
    report.bucketMinutes =
        static_cast<int>(bucketMinutes > 0 ? std::max<qint64>(bucketMinutes, fewest)
                                           : (span + TargetBuckets - 1) / TargetBuckets);

    const auto production = storage::ModelRepository(m_db).aliasTarget(ProductionAlias);
    if (!production) {
        report.psi.unknownBecause = report.oodShare.unknownBecause =
            QStringLiteral("no model is production");
        return report;
    }
    report.modelId = *production;
    const auto model = storage::ModelRepository(m_db).findModel(report.modelId);
    report.oodThreshold = model ? oodThresholdFromMetrics(model->metrics) : std::nullopt;
    readTraining(report, model ? model->datasetCommit : QString());

    const storage::ServingPredictionRepository counts(m_db);
    const storage::ServedTotals totals = counts.totals(report.modelId, first, last);
    report.answers = totals.answers;
    report.served = totals.byLabel;
    report.confidenceHistogram = totals.byConfidenceBin;
    report.ood = totals.ood;
    for (int bin = 0; bin < lowBelowBin; ++bin) {
        report.lowConfidence += totals.byConfidenceBin[static_cast<size_t>(bin)];
    }
    for (const auto &[modelId, answers] : counts.answersByModel(first, last)) {
        report.otherModelAnswers += modelId == report.modelId ? 0 : answers;
    }
    const std::vector<storage::ServedBucket> buckets =
        counts.buckets(report.modelId, first, last, report.bucketMinutes, lowBelowBin);
    auto next = buckets.begin();
    for (qint64 start = first; start <= last; start += report.bucketMinutes) {
        DriftBucket bucket;
        bucket.start = QDateTime::fromSecsSinceEpoch(start * 60, Qt::UTC);
        if (next != buckets.end() && next->firstMinute == start) {
            bucket.answers = next->answers;
            bucket.lowConfidence = next->lowConfidence;
            bucket.ood = next->ood;
            ++next;
        }
        report.overTime.push_back(bucket);
    }

    report.enoughAnswers = report.answers >= MinimumAnswers;
    const QString nothingAnswered =
        QStringLiteral("model %1 answered nothing in the window").arg(report.modelId);
    if (!report.trainingVersion.isEmpty()) {
        if (report.answers > 0) {
            report.psi.value = populationStabilityIndex(report.training, report.served);
            report.chiSquare = chiSquareGoodnessOfFit(report.served, report.training);
        } else {
            report.psi.unknownBecause = nothingAnswered;
        }
    }
    if (!report.oodThreshold) {
        report.oodShare.unknownBecause =
            QStringLiteral("model %1 has no out-of-distribution threshold in its metrics "
                           "(imported, or trained before DigitDesk computed one), so it flags "
                           "nothing")
                .arg(report.modelId);
    } else if (report.answers > 0) {
        report.oodShare.value = static_cast<double>(report.ood) / report.answers;
    } else {
        report.oodShare.unknownBecause = nothingAnswered;
    }
    for (DriftCheck *check : {&report.psi, &report.oodShare}) {
        check->crossed = report.enoughAnswers && check->value && *check->value > check->threshold;
    }
    return report;
}

void DriftMonitor::readTraining(DriftReport &report, const QString &datasetCommit) const
{
    if (datasetCommit.isEmpty()) {
        report.psi.unknownBecause =
            QStringLiteral("model %1 was not trained on a dataset version (an IDX file, or "
                           "imported), so there is no training class distribution to compare with")
                .arg(report.modelId);
        return;
    }
    std::optional<storage::DatasetVersionRecord> found;
    for (const storage::DatasetVersionRecord &version :
         storage::DatasetVersionRepository(m_db).list()) {
        if (version.commitId == datasetCommit && (!found || version.origin.isEmpty())) {
            found = version;
        }
    }
    if (!found) {
        report.psi.unknownBecause =
            QStringLiteral("model %1 was trained on commit %2, which is no dataset version of "
                           "this workspace")
                .arg(report.modelId)
                .arg(datasetCommit);
        return;
    }
    qint64 digits = 0;
    for (int c = 0; c < storage::ServedClasses; ++c) {
        report.training[static_cast<size_t>(c)] = found->histogram[static_cast<size_t>(c)];
        digits += found->histogram[static_cast<size_t>(c)];
    }
    if (digits == 0) {
        report.psi.unknownBecause =
            QStringLiteral("dataset version %1 holds no digits").arg(found->tag);
        return;
    }
    report.trainingVersion = found->tag;
    report.trainingCommit = found->commitId;
}

double DriftMonitor::setting(const char *key, double fallback) const
{
    bool ok = false;
    const double value =
        storage::SettingsRepository(m_db).value(QString::fromLatin1(key)).toDouble(&ok);
    return ok && std::isfinite(value) ? value : fallback;
}

} // namespace digitdesk::annotation
