#pragma once

// One learning curve of learning_curve: a workspace whose pool is labelled 250 digits a round in
// the order a policy chooses, by a simulated annotator who answers with the true label (or, in
// the noisy run, a share of wrong ones) and a simulated reviewer who approves or corrects each
// label; the model is retrained (warm) on the approved labels and promoted after every round,
// its held-out accuracy recorded.

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::bench {

enum class Policy
{
    DefaultQueue,    // the product's queue as configured by default (AnnotationService::next)
    Margin,          // smallest calibrated margin between the top two classes first
    Entropy,         // highest entropy of the calibrated probabilities first
    Random,          // a seeded shuffle of the pool
    LeastConfidence, // lowest calibrated confidence first: the queue's order before issue 11
    ClassStrata,     // least confidence, round-robin over the predicted classes
    PairStrata       // least confidence, round-robin over the (first, second) class pairs
};

QString nameOf(Policy policy); // "default queue", "margin", ...
QString keyOf(Policy policy);  // "default", "margin", ...: for the CSV and --policies
std::optional<Policy> policyOf(const QString &key);

// 28x28 digits with their true labels.
struct Digits
{
    QByteArray pixels; // count() x 784
    QByteArray labels;
    int count() const { return static_cast<int>(labels.size()); }
    QByteArray imageAt(int index) const { return pixels.mid(qsizetype{index} * 784, 784); }
    int labelAt(int index) const { return static_cast<uchar>(labels.at(index)); }
};

// The demo's 10,000 digits (demo-train and demo-incoming) from the folder `make data` fills,
// each image once; throws ImportError naming a file that is missing or damaged.
Digits readDemoDigits(const QString &dataDir);

struct CurveSettings
{
    int heldOut = 2000;  // the same digits for every policy and seed, never labelled
    int start = 500;     // labelled before the first round (approved imports)
    int goldItems = 25;  // of the start digits, marked gold by the reviewer
    int batch = 250;     // labels per round
    int rounds = 16;     // after the start: up to 4,500 labels
    int startEpochs = 8; // the model on the start digits
    int roundEpochs = 3; // each round, from the previous round's weights
    int threads = 0;     // LibTorch threads for training; 0: the core count
    // The annotator's share of wrong answers (another digit, drawn at random) and the share of
    // those the reviewer catches and corrects; the reviewer approves everything else.
    double wrongAnswers = 0;
    double reviewerCatches = 0.5;
};

struct CurvePoint
{
    int labels = 0;         // the annotator's decisions so far, gold answers included
    int trainingImages = 0; // labelled digits the model was trained on (its 20% held out too)
    double accuracy = 0;    // on the fixed held-out digits
};

struct CurveRun
{
    Policy policy = Policy::Random;
    int seed = 0;
    std::vector<CurvePoint> points; // the start, then one per round
    int goldAnswers = 0;            // decisions the queue spent on gold items
    int wrongAnswers = 0;           // the annotator's, gold answers not counted
    int caught = 0;                 // of them, corrected by the reviewer
    double wrongShare = 0;          // the settings' wrongAnswers, for the CSV
    double trainingSeconds = 0;     // as the trainer counts it
};

// The digits split into a fixed held-out part (the same for every seed) and the rest.
struct DigitSplit
{
    std::vector<int> heldOut;
    std::vector<int> rest; // in a fixed order; each seed draws its start digits from it
};

DigitSplit splitDigits(const Digits &digits, int heldOutCount);

// Runs one curve in a new workspace made in `folder` (which must be missing or empty).
// `progress` gets one line per round.
CurveRun runCurve(const Digits &digits, const DigitSplit &split, Policy policy, int seed,
                  const CurveSettings &settings, const QString &folder,
                  const std::function<void(const QString &)> &progress);

} // namespace digitdesk::bench
