#include "annotation/comparisonfigures.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace digitdesk::annotation {
namespace {

bool isDigit(int label)
{
    return label >= 0 && label < models::ClassCount;
}

QString verdictOf(const SetComparison &comparison, const QString &nameA, const QString &nameB)
{
    if (comparison.count == 0) {
        return QStringLiteral("no images to compare on the %1").arg(comparison.name);
    }
    const McNemarTest &test = comparison.mcNemar;
    const QString p = formatPValue(test.pValue);
    if (test.pValue >= SignificanceLevel) {
        return QStringLiteral("no significant difference between %1 and %2 on the %3 (%4)")
            .arg(nameA, nameB, comparison.name, p);
    }
    const bool aBetter = test.b > test.c;
    return QStringLiteral("%1 is better than %2 on the %3 (%4)")
        .arg(aBetter ? nameA : nameB, aBetter ? nameB : nameA, comparison.name, p);
}

} // namespace

ModelFigures figuresOf(const std::vector<uint8_t> &labels, const std::vector<Answer> &answers)
{
    if (answers.size() != labels.size()) {
        throw std::invalid_argument(QStringLiteral("%1 answers for %2 labelled images")
                                        .arg(answers.size())
                                        .arg(labels.size())
                                        .toStdString());
    }
    ModelFigures figures;
    figures.count = static_cast<int>(labels.size());
    std::array<double, ReliabilityBinCount> confidenceSum{};
    std::array<int, ReliabilityBinCount> correctInBin{};
    for (size_t i = 0; i < labels.size(); ++i) {
        const int label = labels[i];
        const Answer &answer = answers[i];
        if (!isDigit(label) || !isDigit(answer.label)) {
            throw std::invalid_argument(
                QStringLiteral("image %1: label %2 or answer %3 is not a digit 0-9")
                    .arg(i)
                    .arg(label)
                    .arg(answer.label)
                    .toStdString());
        }
        const bool right = answer.label == label;
        figures.correct += right ? 1 : 0;
        ClassFigures &perClass = figures.perClass[static_cast<size_t>(label)];
        ++perClass.count;
        perClass.correct += right ? 1 : 0;
        ++figures.confusion[static_cast<size_t>(label)][static_cast<size_t>(answer.label)];
        const auto bin = static_cast<size_t>(
            std::clamp(static_cast<int>(std::floor(answer.confidence * ReliabilityBinCount)), 0,
                       ReliabilityBinCount - 1));
        ++figures.reliability[bin].count;
        confidenceSum[bin] += answer.confidence;
        correctInBin[bin] += right ? 1 : 0;
    }
    if (figures.count == 0) {
        return figures;
    }
    const double n = figures.count;
    figures.accuracy = figures.correct / n;
    figures.accuracyInterval = wilsonInterval(figures.correct, figures.count);
    for (ClassFigures &perClass : figures.perClass) {
        perClass.recall =
            perClass.count > 0 ? static_cast<double>(perClass.correct) / perClass.count : 0;
    }
    for (size_t bin = 0; bin < figures.reliability.size(); ++bin) {
        ReliabilityBin &reliability = figures.reliability[bin];
        if (reliability.count == 0) {
            continue;
        }
        reliability.meanConfidence = confidenceSum[bin] / reliability.count;
        reliability.accuracy = static_cast<double>(correctInBin[bin]) / reliability.count;
        figures.ece +=
            reliability.count / n * std::abs(reliability.accuracy - reliability.meanConfidence);
    }
    return figures;
}

SetComparison compareAnswers(const EvaluationSet &set, const std::vector<Answer> &a,
                             const std::vector<Answer> &b, const QString &nameA,
                             const QString &nameB, size_t maxDisagreements)
{
    SetComparison comparison;
    comparison.name = set.name;
    comparison.count = static_cast<int>(set.count());
    comparison.a = figuresOf(set.labels, a);
    comparison.b = figuresOf(set.labels, b);
    int onlyA = 0;
    int onlyB = 0;
    for (size_t i = 0; i < set.count(); ++i) {
        const bool aRight = a[i].label == set.labels[i];
        const bool bRight = b[i].label == set.labels[i];
        comparison.bothRight += aRight && bRight ? 1 : 0;
        comparison.bothWrong += !aRight && !bRight ? 1 : 0;
        onlyA += aRight && !bRight ? 1 : 0;
        onlyB += !aRight && bRight ? 1 : 0;
        if (a[i].label == b[i].label) {
            continue;
        }
        ++comparison.disagreementCount;
        if (comparison.disagreements.size() >= maxDisagreements) {
            continue;
        }
        Disagreement disagreement;
        disagreement.imageId = i < set.imageIds.size() ? set.imageIds[i] : 0;
        disagreement.sha256 = i < set.sha256s.size() ? set.sha256s[i] : QString();
        if ((i + 1) * models::PixelCount <= set.pixels.size()) {
            disagreement.pixels = QByteArray(
                reinterpret_cast<const char *>(set.pixels.data() + i * models::PixelCount),
                models::PixelCount);
        }
        disagreement.label = set.labels[i];
        disagreement.a = a[i];
        disagreement.b = b[i];
        comparison.disagreements.push_back(std::move(disagreement));
    }
    comparison.mcNemar = mcNemarTest(onlyA, onlyB);
    comparison.verdict = verdictOf(comparison, nameA, nameB);
    return comparison;
}

QString formatPValue(double p)
{
    if (p < 0.001) {
        return QStringLiteral("p < 0.001");
    }
    return QStringLiteral("p = %1").arg(QString::number(p, 'g', 2));
}

} // namespace digitdesk::annotation
