#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace digitdesk::models {

constexpr int ClassCount = 10;
constexpr int PixelCount = 28 * 28;

// Figures of a classifier on a labelled split, computed from its logits. Plain C++ (no Torch),
// so the GUI, the command line and the tests read them without LibTorch.
struct Evaluation
{
    int count = 0;
    double accuracy = 0;
    std::array<double, ClassCount> precision{};
    std::array<double, ClassCount> recall{};
    std::array<std::array<int, ClassCount>, ClassCount> confusion{}; // [true][predicted]
    double nll = 0; // mean negative log-likelihood, nats
    double ece = 0; // expected calibration error, 15 equal-width confidence bins
};

// `logits` holds count x 10 values, row-major. `temperature` divides them before the softmax.
Evaluation evaluate(const std::vector<float> &logits, const std::vector<uint8_t> &labels,
                    double temperature = 1.0);

// The temperature that minimises the NLL of softmax(logits / T) on a validation split
// (golden-section search on log T in [0.05, 20]).
double fitTemperature(const std::vector<float> &logits, const std::vector<uint8_t> &labels);

// Softmax of one row of 10 logits divided by the temperature.
std::array<float, ClassCount> softmax(const float *logits, double temperature);

// What a reader needs to judge a model: the same split answered without learning anything
// (uniform random guess), by always answering the training set's most frequent class, and by
// the nearest class mean image of the training set.
struct Baselines
{
    double randomGuessAccuracy = 0;
    double randomGuessNll = 0;
    int majorityClass = 0;
    double majorityAccuracy = 0;
    double nearestCentroidAccuracy = 0;
};

Baselines computeBaselines(const std::vector<uint8_t> &trainPixels,
                           const std::vector<uint8_t> &trainLabels,
                           const std::vector<uint8_t> &testPixels,
                           const std::vector<uint8_t> &testLabels);

} // namespace digitdesk::models
