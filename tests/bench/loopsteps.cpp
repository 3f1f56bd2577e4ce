#include "tests/bench/loopsteps.h"

#include "annotation/annotationservice.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/reviewservice.h"
#include "storage/blobstore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace digitdesk::bench {
namespace {

constexpr int PixelCount = 784;
constexpr int StripLength = 8; // the annotate view's strip of what comes next

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return NAN;
    }
    std::sort(values.begin(), values.end());
    const auto at = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, at == 0 ? 0 : at - 1)];
}

double elapsedMs(const QElapsedTimer &timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

QString intervalText(const QJsonValue &interval)
{
    const QJsonArray bounds = interval.toArray();
    return QStringLiteral("%1-%2%")
        .arg(bounds.at(0).toDouble() * 100, 0, 'f', 2)
        .arg(bounds.at(1).toDouble() * 100, 0, 'f', 2);
}

} // namespace

IncomingDigits readIncomingDigits(const QString &dataDir)
{
    IncomingDigits digits;
    digits.pixels = annotation::readIdxFile(
                        QDir(dataDir).filePath(QStringLiteral("demo-incoming-images-idx3-ubyte")))
                        .data;
    digits.labels = annotation::readIdxFile(
                        QDir(dataDir).filePath(QStringLiteral("demo-incoming-labels-idx1-ubyte")))
                        .data;
    for (int i = 0; i < digits.count(); ++i) {
        digits.shas.push_back(storage::BlobStore::digestOf(
            digits.pixels.mid(static_cast<qsizetype>(i) * PixelCount, PixelCount)));
        digits.labelOfSha.insert(digits.shas.back(), static_cast<uchar>(digits.labels.at(i)));
    }
    return digits;
}

QHash<QString, QString> demoPasswords(const QString &demoOutput)
{
    // "  annotator  annotator    SsT3HTknbaKg6u": name, role, password.
    static const QRegularExpression line(QStringLiteral("^\\s+(\\S+)\\s+\\S+\\s+(\\S+)$"),
                                         QRegularExpression::MultilineOption);
    QHash<QString, QString> passwords;
    for (const QRegularExpressionMatch &match : line.globalMatch(demoOutput)) {
        passwords.insert(match.captured(1), match.captured(2));
    }
    return passwords;
}

LabellingFigures labelFromQueue(const storage::Workspace &workspace, const IncomingDigits &incoming,
                                const annotation::Principal &annotator, int count)
{
    LabellingFigures figures;
    annotation::AnnotationService annotate(workspace.db());
    QElapsedTimer all;
    all.start();
    std::optional<annotation::QueueItem> item = annotate.next(annotator);
    annotate.upcoming(annotator, StripLength);
    QElapsedTimer shown;
    shown.start();
    while (item && figures.labelled < count) {
        const QString sha = storage::BlobStore::digestOf(item->pixels);
        QElapsedTimer key;
        key.start();
        if (!incoming.labelOfSha.contains(sha)) {
            annotate.skip(annotator, item->imageId); // not one of the demo's incoming digits
        } else {
            annotate.label(annotator, item->imageId,
                           storage::Label::fromDigit(incoming.labelOfSha.value(sha)),
                           shown.elapsed());
            ++figures.labelled;
            figures.shas.insert(sha);
            figures.queueConfidences.push_back(item->confidence);
        }
        item = annotate.next(annotator);
        annotate.upcoming(annotator, StripLength);
        figures.keyMs.push_back(elapsedMs(key));
        shown.restart();
    }
    figures.seconds = elapsedMs(all) / 1000;
    return figures;
}

ReviewFigures approveAll(const storage::Workspace &workspace, const annotation::Principal &reviewer,
                         int count)
{
    ReviewFigures figures;
    annotation::ReviewService review(workspace.db());
    QElapsedTimer all;
    all.start();
    std::optional<annotation::ReviewItem> item = review.next(reviewer);
    while (item && figures.approved < count) {
        QElapsedTimer key;
        key.start();
        review.approve(reviewer, item->imageId);
        ++figures.approved;
        item = review.next(reviewer);
        figures.keyMs.push_back(elapsedMs(key));
    }
    figures.seconds = elapsedMs(all) / 1000;
    return figures;
}

TrainingFigures trainingFiguresOf(const testing::CliRun &run)
{
    TrainingFigures figures;
    for (const QString &line : run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject event = QJsonDocument::fromJson(line.toUtf8()).object();
        const QString kind = event.value(QStringLiteral("event")).toString();
        if (kind == QStringLiteral("started")) {
            figures.epochs = event.value(QStringLiteral("epochs")).toInt();
            figures.trainCount = event.value(QStringLiteral("train")).toInt();
            figures.validationCount = event.value(QStringLiteral("validation")).toInt();
        } else if (kind == QStringLiteral("registered")) {
            const QJsonObject metrics = event.value(QStringLiteral("metrics")).toObject();
            figures.modelId = event.value(QStringLiteral("model_id")).toInteger();
            figures.heldOutAccuracy = metrics.value(QStringLiteral("validation_calibrated"))
                                          .toObject()
                                          .value(QStringLiteral("accuracy"))
                                          .toDouble();
            figures.trainerSeconds = metrics.value(QStringLiteral("seconds")).toDouble();
            figures.imagesPerSecond = metrics.value(QStringLiteral("images_per_second")).toDouble();
        }
    }
    if (run.exitCode != 0 || figures.modelId == 0) {
        figures.modelId = 0;
        figures.failure =
            QStringLiteral("exit code %1\n%2%3").arg(run.exitCode).arg(run.out, run.err);
    }
    return figures;
}

ComparisonFigures comparisonFiguresOf(const testing::CliRun &run)
{
    ComparisonFigures figures;
    QJsonParseError error{};
    const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8(), &error).object();
    if (run.exitCode != 0 || error.error != QJsonParseError::NoError) {
        figures.failure = QStringLiteral("exit code %1 (%2)\n%3%4")
                              .arg(run.exitCode)
                              .arg(error.errorString(), run.out, run.err);
        return figures;
    }
    const QJsonObject heldOut = json.value(QStringLiteral("held_out")).toObject();
    const QJsonObject a = heldOut.value(QStringLiteral("a")).toObject();
    const QJsonObject b = heldOut.value(QStringLiteral("b")).toObject();
    const QJsonObject mcNemar = heldOut.value(QStringLiteral("mcnemar")).toObject();
    figures.heldOutCount = heldOut.value(QStringLiteral("count")).toInt();
    figures.accuracyA = a.value(QStringLiteral("accuracy")).toDouble();
    figures.accuracyB = b.value(QStringLiteral("accuracy")).toDouble();
    figures.intervalA = intervalText(a.value(QStringLiteral("accuracy_ci95")));
    figures.intervalB = intervalText(b.value(QStringLiteral("accuracy_ci95")));
    figures.learntA = a.value(QStringLiteral("learnt_from")).toInt(-1);
    figures.onlyA = mcNemar.value(QStringLiteral("b")).toInt();
    figures.onlyB = mcNemar.value(QStringLiteral("c")).toInt();
    figures.pValue = mcNemar.value(QStringLiteral("p_value")).toDouble();
    figures.verdict = heldOut.value(QStringLiteral("verdict")).toString();
    figures.approvedSince = json.value(QStringLiteral("approved_since"))
                                .toObject()
                                .value(QStringLiteral("count"))
                                .toInt();
    return figures;
}

std::vector<models::Prediction> predictionsOf(const annotation::ModelRegistry &registry,
                                              qint64 model, const QByteArray &pixels, int count)
{
    const auto predictor = registry.openPredictor(model, models::DeviceRequest::Cpu);
    return predictor->predict(reinterpret_cast<const uint8_t *>(pixels.constData()), count);
}

void printLabelling(const LabellingFigures &labelling, const ReviewFigures &review, int leastSure)
{
    std::vector<double> confidences(labelling.queueConfidences.begin(),
                                    labelling.queueConfidences.end());
    std::printf("labelling   annotator: %d labels in %.1f s of service calls (label + next + "
                "strip: p50 %.1f ms, p99 %.1f ms per key)\n",
                labelling.labelled, labelling.seconds, percentile(labelling.keyMs, 50),
                percentile(labelling.keyMs, 99));
    std::printf("            queue order: %d of them are the %d the production model is least "
                "sure of, the rest its confident answers mixed in for audit; calibrated "
                "confidence p50 %.3f, max %.3f\n",
                leastSure, labelling.labelled, percentile(confidences, 50),
                percentile(confidences, 100));
    std::printf("            reviewer (another user): %d approvals in %.1f s (approve + next: p50 "
                "%.1f ms, p99 %.1f ms per key)\n",
                review.approved, review.seconds, percentile(review.keyMs, 50),
                percentile(review.keyMs, 99));
}

void printTraining(const TrainingFigures &training, double commandSeconds, bool defaults)
{
    std::printf("retraining  digitdesk train --dataset: %.1f s for the command, %.1f s training "
                "(%d epochs, %s; %d train / %d held out, %.0f images/s); model %lld, held-out "
                "accuracy %.2f%%\n",
                commandSeconds, training.trainerSeconds, training.epochs,
                defaults ? "the product's defaults" : "--epochs given", training.trainCount,
                training.validationCount, training.imagesPerSecond,
                static_cast<long long>(training.modelId), training.heldOutAccuracy * 100);
}

void printComparison(const ComparisonFigures &comparison, int learntByOld, double seconds)
{
    std::printf("evaluation  digitdesk eval --against production --json: %.1f s\n", seconds);
    std::printf("  held-out split of the version, %d images: new %.2f%% (%s), production "
                "%.2f%% (%s)\n",
                comparison.heldOutCount, comparison.accuracyA * 100,
                qPrintable(comparison.intervalA), comparison.accuracyB * 100,
                qPrintable(comparison.intervalB));
    std::printf("    McNemar: only new right %d, only production right %d, p = %.3g; %s\n",
                comparison.onlyA, comparison.onlyB, comparison.pValue,
                qPrintable(comparison.verdict));
    std::printf("    the new model trained on %d of them; production on %d (it learnt from the "
                "demo's IDX pair, whose split differs), so this split favours production\n",
                std::max(0, comparison.learntA), learntByOld);
    std::printf("    labels approved since the version: %d\n", comparison.approvedSince);
}

void printPromotion(const PromotionFigures &swap, double aliasMovedSeconds, double rate)
{
    const LoadResult &load = swap.load;
    const int sent = load.ok + load.rejected + load.otherStatus + load.failed;
    std::printf("promotion   under an open-loop load of %.0f req/s (POST /v1/predict, PNG) for "
                "%.1f s; digitdesk models promote at %.1f s\n",
                rate, load.seconds, swap.promoteStartSeconds);
    if (!swap.error.isEmpty()) {
        std::printf("  FAILED: %s\n", qPrintable(swap.error));
    }
    std::printf("  requests sent %d: 200 %d, 503 %d, other status %d, no answer %d => failed "
                "requests %d\n",
                sent, load.ok, load.rejected, load.otherStatus, load.failed, sent - load.ok);
    std::printf("  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", load.percentile(50),
                load.percentile(99), load.percentile(100));
    std::printf("  p99 by second (ms):");
    const double swapAt =
        swap.firstNewAnswerSeconds < 0 ? -1 : swap.promoteStartSeconds + swap.firstNewAnswerSeconds;
    for (size_t i = 0; i < swap.seconds.size(); ++i) {
        const double start = swap.seconds[i].startSeconds;
        const double next =
            i + 1 < swap.seconds.size() ? swap.seconds[i + 1].startSeconds : start + 1e9;
        const auto within = [&](double at) {
            return start <= at && at < next;
        };
        std::printf(" %s%s%.1f", within(swap.promoteStartSeconds) ? "[promote] " : "",
                    within(swapAt) ? "[swap] " : "", swap.seconds[i].result.percentile(99));
    }
    std::printf(
        "\n  served model %s before; `%s` (exit %d) took %.2f s\n", qPrintable(swap.versionBefore),
        qPrintable(QString(swap.promoteOutput).replace(QLatin1Char('\n'), QStringLiteral("; "))),
        swap.promoteExitCode, swap.promoteCommandSeconds);
    std::printf("  from starting the promote command: alias moved %.3f s, first answer naming the "
                "new model %.3f s, /v2/models/digits naming it %.3f s\n",
                aliasMovedSeconds, swap.firstNewAnswerSeconds, swap.metadataSeconds);
    std::printf("  load kept %.1f s after the swap; probe: %d answers, %d from the old model after "
                "the first from the new one\n",
                swap.loadAfterSwapSeconds, swap.probeAnswers, swap.probeOldAfterNew);
}

} // namespace digitdesk::bench
