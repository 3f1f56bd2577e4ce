#pragma once

#include "annotation/statistics.h"
#include "models/evaluation.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <vector>

namespace digitdesk::annotation {

inline constexpr int ReliabilityBinCount = 10;
inline constexpr double SignificanceLevel = 0.05;

// One model's answer for one image: the top class of its calibrated probabilities.
struct Answer
{
    int label = 0;
    double confidence = 0;
};

// Labelled images that two models answer, in a fixed order. `pixels`, `sha256s` and
// `imageIds` may be left empty (figures from fixed answers); a disagreement then lacks them.
struct EvaluationSet
{
    QString name;                 // "held-out split of v3"
    std::vector<uint8_t> labels;  // approved, 0-9
    std::vector<uint8_t> pixels;  // count() x 784
    std::vector<QString> sha256s; // of each image's pixels
    std::vector<qint64> imageIds; // 0 for an image this workspace does not hold
    size_t count() const { return labels.size(); }
};

struct ClassFigures
{
    int count = 0;   // images of this approved class
    int correct = 0; // of them, answered with it
    double recall = 0;
};

struct ReliabilityBin
{
    int count = 0;
    double meanConfidence = 0;
    double accuracy = 0;
};

struct ModelFigures
{
    int count = 0;
    int correct = 0;
    double accuracy = 0;
    Interval accuracyInterval; // 95% Wilson score
    std::array<ClassFigures, models::ClassCount> perClass{};
    // [approved][answered]
    std::array<std::array<int, models::ClassCount>, models::ClassCount> confusion{};
    // Bin i holds the confidences in [i / 10, (i + 1) / 10); the last one holds 1.0 too.
    std::array<ReliabilityBin, ReliabilityBinCount> reliability{};
    double ece = 0;      // sum over the bins of count / n * |accuracy - mean confidence|
    int learntFrom = -1; // images of the set the model was trained on; -1 when unknown
};

struct Disagreement
{
    qint64 imageId = 0;
    QString sha256;
    QByteArray pixels; // 784 bytes
    int label = 0;     // approved
    Answer a;
    Answer b;
};

// Two models on one set: each one's figures, the paired test and where they answer differently.
struct SetComparison
{
    QString name;
    int count = 0;
    ModelFigures a;
    ModelFigures b;
    int bothRight = 0;
    int bothWrong = 0;
    McNemarTest mcNemar;                     // b: only A right, c: only B right
    int disagreementCount = 0;               // images the two answer differently
    std::vector<Disagreement> disagreements; // the first ones up to the cap, in the set's order
    QString verdict; // "model 7 is better than model 3 on the held-out split of v2 (p = 0.003)"
};

// Throws std::invalid_argument when the answers do not match the labels one for one.
ModelFigures figuresOf(const std::vector<uint8_t> &labels, const std::vector<Answer> &answers);

SetComparison compareAnswers(const EvaluationSet &set, const std::vector<Answer> &a,
                             const std::vector<Answer> &b,
                             const QString &nameA = QStringLiteral("A"),
                             const QString &nameB = QStringLiteral("B"),
                             size_t maxDisagreements = 500);

// "p = 0.41", "p = 0.003", "p < 0.001".
QString formatPValue(double p);

} // namespace digitdesk::annotation
