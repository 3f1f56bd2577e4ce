#include "models/evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace digitdesk::models {
namespace {

constexpr int EceBins = 15;

double nllAt(const std::vector<float> &logits, const std::vector<uint8_t> &labels,
             double temperature)
{
    double total = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        const float *row = logits.data() + i * ClassCount;
        double maxLogit = -std::numeric_limits<double>::infinity();
        for (int c = 0; c < ClassCount; ++c) {
            maxLogit = std::max(maxLogit, row[c] / temperature);
        }
        double sum = 0;
        for (int c = 0; c < ClassCount; ++c) {
            sum += std::exp(row[c] / temperature - maxLogit);
        }
        // sum >= 1: the largest logit contributes exp(0). cppcheck cannot see the loop runs.
        // cppcheck-suppress invalidFunctionArg
        total += maxLogit + std::log(sum) - row[labels[i]] / temperature;
    }
    return labels.empty() ? 0 : total / static_cast<double>(labels.size());
}

} // namespace

std::array<float, ClassCount> softmax(const float *logits, double temperature)
{
    std::array<float, ClassCount> probabilities{};
    double maxLogit = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < ClassCount; ++c) {
        maxLogit = std::max(maxLogit, logits[c] / temperature);
    }
    double sum = 0;
    for (int c = 0; c < ClassCount; ++c) {
        const double e = std::exp(logits[c] / temperature - maxLogit);
        probabilities[static_cast<size_t>(c)] = static_cast<float>(e);
        sum += e;
    }
    for (float &p : probabilities) {
        p = static_cast<float>(p / sum);
    }
    return probabilities;
}

Evaluation evaluate(const std::vector<float> &logits, const std::vector<uint8_t> &labels,
                    double temperature)
{
    Evaluation result;
    result.count = static_cast<int>(labels.size());
    if (labels.empty()) {
        return result;
    }
    std::array<int, EceBins> binCount{};
    std::array<double, EceBins> binConfidence{};
    std::array<double, EceBins> binCorrect{};
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto probabilities = softmax(logits.data() + i * ClassCount, temperature);
        const auto best = std::max_element(probabilities.begin(), probabilities.end());
        const int predicted = static_cast<int>(best - probabilities.begin());
        const double confidence = *best;
        const bool right = predicted == labels[i];
        correct += right ? 1 : 0;
        ++result.confusion[labels[i]][static_cast<size_t>(predicted)];
        const int bin = std::min(EceBins - 1, static_cast<int>(confidence * EceBins));
        ++binCount[static_cast<size_t>(bin)];
        binConfidence[static_cast<size_t>(bin)] += confidence;
        binCorrect[static_cast<size_t>(bin)] += right ? 1 : 0;
    }
    const double n = static_cast<double>(labels.size());
    result.accuracy = correct / n;
    for (int c = 0; c < ClassCount; ++c) {
        int truePositives = result.confusion[static_cast<size_t>(c)][static_cast<size_t>(c)];
        int predictedAs = 0;
        int actually = 0;
        for (int other = 0; other < ClassCount; ++other) {
            predictedAs += result.confusion[static_cast<size_t>(other)][static_cast<size_t>(c)];
            actually += result.confusion[static_cast<size_t>(c)][static_cast<size_t>(other)];
        }
        result.precision[static_cast<size_t>(c)] =
            predictedAs ? double(truePositives) / predictedAs : 0;
        result.recall[static_cast<size_t>(c)] = actually ? double(truePositives) / actually : 0;
    }
    for (int b = 0; b < EceBins; ++b) {
        const auto bin = static_cast<size_t>(b);
        if (binCount[bin] > 0) {
            result.ece += std::abs(binConfidence[bin] - binCorrect[bin]) / n;
        }
    }
    result.nll = nllAt(logits, labels, temperature);
    return result;
}

double fitTemperature(const std::vector<float> &logits, const std::vector<uint8_t> &labels)
{
    if (labels.empty()) {
        return 1.0;
    }
    // NLL(T) is unimodal in log T for a fixed set of logits; golden-section search is enough
    // and needs no gradient.
    double lo = std::log(0.05);
    double hi = std::log(20.0);
    const double ratio = (std::sqrt(5.0) - 1) / 2;
    double a = hi - ratio * (hi - lo);
    double b = lo + ratio * (hi - lo);
    double fa = nllAt(logits, labels, std::exp(a));
    double fb = nllAt(logits, labels, std::exp(b));
    for (int i = 0; i < 60; ++i) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - ratio * (hi - lo);
            fa = nllAt(logits, labels, std::exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + ratio * (hi - lo);
            fb = nllAt(logits, labels, std::exp(b));
        }
    }
    return std::exp((lo + hi) / 2);
}

Baselines computeBaselines(const std::vector<uint8_t> &trainPixels,
                           const std::vector<uint8_t> &trainLabels,
                           const std::vector<uint8_t> &testPixels,
                           const std::vector<uint8_t> &testLabels)
{
    Baselines baselines;
    baselines.randomGuessAccuracy = 1.0 / ClassCount;
    baselines.randomGuessNll = std::log(static_cast<double>(ClassCount));
    std::array<int, ClassCount> counts{};
    std::vector<double> centroids(ClassCount * PixelCount, 0.0);
    for (size_t i = 0; i < trainLabels.size(); ++i) {
        ++counts[trainLabels[i]];
        for (int p = 0; p < PixelCount; ++p) {
            centroids[trainLabels[i] * PixelCount + static_cast<size_t>(p)] +=
                trainPixels[i * PixelCount + static_cast<size_t>(p)];
        }
    }
    baselines.majorityClass =
        static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
    for (int c = 0; c < ClassCount; ++c) {
        for (int p = 0; p < PixelCount; ++p) {
            centroids[static_cast<size_t>(c * PixelCount + p)] /=
                std::max(1, counts[static_cast<size_t>(c)]);
        }
    }
    int majorityRight = 0;
    int centroidRight = 0;
    for (size_t i = 0; i < testLabels.size(); ++i) {
        majorityRight += testLabels[i] == baselines.majorityClass ? 1 : 0;
        int best = 0;
        double bestDistance = std::numeric_limits<double>::infinity();
        for (int c = 0; c < ClassCount; ++c) {
            double distance = 0;
            for (int p = 0; p < PixelCount; ++p) {
                const double d = testPixels[i * PixelCount + static_cast<size_t>(p)] -
                                 centroids[static_cast<size_t>(c * PixelCount + p)];
                distance += d * d;
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = c;
            }
        }
        centroidRight += best == testLabels[i] ? 1 : 0;
    }
    const double n = std::max<size_t>(1, testLabels.size());
    baselines.majorityAccuracy = majorityRight / n;
    baselines.nearestCentroidAccuracy = centroidRight / n;
    return baselines;
}

} // namespace digitdesk::models
