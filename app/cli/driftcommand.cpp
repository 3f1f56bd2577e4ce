#include "annotation/driftmonitor.h"
#include "annotation/principal.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "models/oodscore.h"
#include "storage/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <optional>

namespace digitdesk::app {
namespace {

constexpr qint64 LongestWindowMinutes = 366LL * 24 * 60;

// "15m", "2h", "7d" -> minutes; none when the text is not such a duration.
std::optional<qint64> minutesOf(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,6})([mhd])$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch()) {
        return std::nullopt;
    }
    const qint64 count = match.captured(1).toLongLong();
    const QChar unit = match.captured(2).at(0);
    const qint64 minutes = count * (unit == QLatin1Char('d')   ? 24 * 60
                                    : unit == QLatin1Char('h') ? 60
                                                               : 1);
    if (minutes < 1 || minutes > LongestWindowMinutes) {
        return std::nullopt;
    }
    return minutes;
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

QString utc(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonObject checkJson(const annotation::DriftCheck &check)
{
    QJsonObject object{{QStringLiteral("value"), optionalNumber(check.value)},
                       {QStringLiteral("threshold"), check.threshold},
                       {QStringLiteral("crossed"), check.crossed}};
    if (!check.unknownBecause.isEmpty()) {
        object.insert(QStringLiteral("unknown_because"), check.unknownBecause);
    }
    return object;
}

template <typename Counts> QJsonArray arrayOf(const Counts &counts)
{
    QJsonArray array;
    for (const auto count : counts) {
        array.append(static_cast<qint64>(count));
    }
    return array;
}

QJsonObject reportJson(const annotation::DriftReport &report)
{
    QJsonArray overTime;
    for (const annotation::DriftBucket &bucket : report.overTime) {
        overTime.append(QJsonObject{{QStringLiteral("start"), utc(bucket.start)},
                                    {QStringLiteral("answers"), bucket.answers},
                                    {QStringLiteral("low_confidence"), bucket.lowConfidence},
                                    {QStringLiteral("ood"), bucket.ood}});
    }
    QJsonObject chiSquare;
    if (report.chiSquare) {
        chiSquare = {{QStringLiteral("statistic"), report.chiSquare->statistic},
                     {QStringLiteral("degrees_of_freedom"), report.chiSquare->degreesOfFreedom},
                     {QStringLiteral("p_value"), report.chiSquare->pValue}};
    }
    return {{QStringLiteral("since"), utc(report.since)},
            {QStringLiteral("until"), utc(report.until)},
            {QStringLiteral("model_id"),
             report.modelId > 0 ? QJsonValue(report.modelId) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("answers"), report.answers},
            {QStringLiteral("other_model_answers"), report.otherModelAnswers},
            {QStringLiteral("enough_answers"), report.enoughAnswers},
            {QStringLiteral("minimum_answers"), annotation::DriftMonitor::MinimumAnswers},
            {QStringLiteral("served"), arrayOf(report.served)},
            {QStringLiteral("training"), report.trainingVersion.isEmpty()
                                             ? QJsonValue(QJsonValue::Null)
                                             : QJsonValue(arrayOf(report.training))},
            {QStringLiteral("training_version"), report.trainingVersion},
            {QStringLiteral("training_commit"), report.trainingCommit},
            {QStringLiteral("psi"), checkJson(report.psi)},
            {QStringLiteral("chi_square"),
             report.chiSquare ? QJsonValue(chiSquare) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("ood_share"), checkJson(report.oodShare)},
            {QStringLiteral("ood"),
             QJsonObject{{QStringLiteral("score"), QLatin1String(models::OodScoreName)},
                         {QStringLiteral("threshold"), optionalNumber(report.oodThreshold)},
                         {QStringLiteral("flagged"), report.ood}}},
            {QStringLiteral("confidence_histogram"), arrayOf(report.confidenceHistogram)},
            {QStringLiteral("low_confidence_below"), report.lowConfidenceBelow},
            {QStringLiteral("low_confidence"), report.lowConfidence},
            {QStringLiteral("low_confidence_rate"), report.lowConfidenceRate()},
            {QStringLiteral("bucket_minutes"), report.bucketMinutes},
            {QStringLiteral("over_time"), overTime},
            {QStringLiteral("alerts"), QJsonArray::fromStringList(report.alerts())}};
}

QString checkLine(const annotation::DriftCheck &check, const QString &value,
                  const QString &threshold)
{
    if (!check.value) {
        return QStringLiteral("unknown: %1").arg(check.unknownBecause);
    }
    return QStringLiteral("%1 (threshold %2)%3")
        .arg(value, threshold, check.crossed ? QStringLiteral("  CROSSED") : QString());
}

void printReport(const annotation::DriftReport &report, const QString &window)
{
    if (report.modelId == 0) {
        printOut(QStringLiteral("No model is production: nothing to monitor."));
        return;
    }
    printOut(QStringLiteral("Production model %1 over the last %2 (%3 to %4)")
                 .arg(report.modelId)
                 .arg(window, utc(report.since), utc(report.until)));
    printOut(QStringLiteral("answers              %1 image(s)%2")
                 .arg(report.answers)
                 .arg(report.otherModelAnswers > 0
                          ? QStringLiteral(" (%1 more by other models, left out)")
                                .arg(report.otherModelAnswers)
                          : QString()));
    const bool training = !report.trainingVersion.isEmpty();
    printOut(QStringLiteral("training data        %1")
                 .arg(training ? QStringLiteral("dataset %1 (commit %2)")
                                     .arg(report.trainingVersion, report.trainingCommit)
                               : report.psi.unknownBecause));
    if (report.answers > 0) {
        qint64 trainingTotal = 0;
        for (const qint64 count : report.training) {
            trainingTotal += count;
        }
        printOut(QStringLiteral("class   served   share%1")
                     .arg(training ? QStringLiteral("   training   share") : QString()));
        for (size_t c = 0; c < report.served.size(); ++c) {
            QString line = QStringLiteral("%1 %2 %3")
                               .arg(c, 5)
                               .arg(report.served[c], 8)
                               .arg(percent(double(report.served[c]) / report.answers), 7);
            if (training) {
                line += QStringLiteral(" %1 %2")
                            .arg(report.training[c], 10)
                            .arg(percent(double(report.training[c]) / trainingTotal), 7);
            }
            printOut(line);
        }
    }
    printOut(QStringLiteral("PSI                  %1")
                 .arg(checkLine(report.psi,
                                report.psi.value ? QString::number(*report.psi.value, 'f', 3)
                                                 : QString(),
                                QString::number(report.psi.threshold, 'f', 3))));
    if (report.chiSquare) {
        printOut(QStringLiteral("chi-square           %1 on %2 degrees of freedom, p = %3")
                     .arg(report.chiSquare->statistic, 0, 'f', 2)
                     .arg(report.chiSquare->degreesOfFreedom)
                     .arg(report.chiSquare->pValue, 0, 'g', 4));
    }
    printOut(QStringLiteral("out of distribution  %1")
                 .arg(checkLine(report.oodShare,
                                report.oodShare.value
                                    ? QStringLiteral("%1 of answers, %2 score above %3")
                                          .arg(percent(*report.oodShare.value),
                                               QLatin1String(models::OodScoreName))
                                          .arg(report.oodThreshold.value_or(0), 0, 'f', 3)
                                    : QString(),
                                percent(report.oodShare.threshold))));
    if (report.answers == 0) {
        return;
    }
    printOut(
        QStringLiteral("low confidence       %1 of answers under %2 (serving.capture_threshold)")
            .arg(percent(report.lowConfidenceRate()))
            .arg(report.lowConfidenceBelow, 0, 'f', 2));
    QStringList bins;
    for (const qint64 count : report.confidenceHistogram) {
        bins << QString::number(count);
    }
    printOut(
        QStringLiteral("confidence, 0 to 1 in steps of 0.05: %1").arg(bins.join(QLatin1Char(' '))));
    printOut(QStringLiteral("over time, in buckets of %1 minute(s):").arg(report.bucketMinutes));
    printOut(
        QStringLiteral("  start (UTC)            answers  low confidence  out of distribution"));
    for (const annotation::DriftBucket &bucket : report.overTime) {
        if (bucket.answers == 0) {
            continue;
        }
        printOut(
            QStringLiteral("  %1 %2 %3 %4")
                .arg(utc(bucket.start), -20)
                .arg(bucket.answers, 9)
                .arg(percent(bucket.lowConfidenceRate()), 15)
                .arg(report.oodThreshold ? percent(bucket.oodShare()) : QStringLiteral("-"), 20));
    }
    if (!report.enoughAnswers) {
        printOut(QStringLiteral("Too few answers to judge the thresholds (%1, fewer than %2).")
                     .arg(report.answers)
                     .arg(annotation::DriftMonitor::MinimumAnswers));
        return;
    }
    const QStringList alerts = report.alerts();
    for (const QString &alert : alerts) {
        printOut(alert);
    }
    if (alerts.isEmpty()) {
        printOut(QStringLiteral("No threshold crossed."));
    }
}

} // namespace

int runDriftCommand(const QStringList &arguments)
{
    ArgumentParser parser(
        QStringLiteral("digitdesk drift [--since 15m|2h|7d] [--json] [--workspace DIR]"),
        QStringLiteral("What the production model answered through `digitdesk serve` over a "
                       "recent window beside the data it learnt from: the served classes against "
                       "its dataset version's (PSI, chi-square), confidence, low-confidence and "
                       "out-of-distribution shares over time, and which thresholds (settings "
                       "drift.psi_threshold, drift.ood_share_threshold) are crossed."));
    parser.addWorkspaceOption();
    parser.addOption({QStringLiteral("since"),
                      QStringLiteral("How far back: minutes (m), hours (h) or days (d)."),
                      QStringLiteral("DURATION"), QStringLiteral("15m")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")});
    if (auto exit = parser.parse(arguments, 0, 0)) {
        return *exit;
    }
    const QString window = parser.value(QStringLiteral("since"));
    const std::optional<qint64> minutes = minutesOf(window);
    if (!minutes) {
        return parser.usageError(
            QStringLiteral("--since takes a duration such as 15m, 2h or 7d (up to 366d), not '%1'")
                .arg(window));
    }
    const auto workspace = openWorkspace(parser.workspace());
    const QDateTime until = QDateTime::currentDateTimeUtc();
    const annotation::DriftReport report =
        annotation::DriftMonitor(workspace->db())
            .report(annotation::Principal::localOperator(), until.addSecs(-*minutes * 60), until);
    if (parser.isSet(QStringLiteral("json"))) {
        printOut(QString::fromUtf8(QJsonDocument(reportJson(report)).toJson()).trimmed());
    } else {
        printReport(report, window);
    }
    return ExitOk;
}

} // namespace digitdesk::app
