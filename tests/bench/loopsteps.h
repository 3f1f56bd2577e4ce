#pragma once

// The steps of loop_bench that are more than a call: the simulated annotator and reviewer, what
// `digitdesk train` and `digitdesk eval --json` print, and the figures' lines.

#include "annotation/principal.h"
#include "models/predictor.h"
#include "storage/workspace.h"
#include "tests/bench/promotionunderload.h"
#include "tests/support/datasetfixture.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>

#include <vector>

namespace digitdesk::annotation {
class ModelRegistry;
}

namespace digitdesk::bench {

// The demo's incoming digits as `make data` wrote them, with their true labels.
struct IncomingDigits
{
    QByteArray pixels; // count() x 784
    QByteArray labels;
    std::vector<QString> shas; // of each image's pixels: the workspace's name for it
    QHash<QString, int> labelOfSha;
    int count() const { return static_cast<int>(labels.size()); }
};

IncomingDigits readIncomingDigits(const QString &dataDir);

// The names and passwords `digitdesk demo create` prints once.
QHash<QString, QString> demoPasswords(const QString &demoOutput);

struct LabellingFigures
{
    int labelled = 0;
    double seconds = 0;
    std::vector<double> keyMs;           // label, next item and the strip of what comes, per key
    QSet<QString> shas;                  // of the labelled images
    std::vector<float> queueConfidences; // the production model's, as the queue showed them
};

// The annotator takes the queue in its order and answers each item with its true label, as
// the annotate view does for a key: label(), then next() and upcoming() for the strip.
LabellingFigures labelFromQueue(const storage::Workspace &workspace, const IncomingDigits &incoming,
                                const annotation::Principal &annotator, int count);

struct ReviewFigures
{
    int approved = 0;
    double seconds = 0;
    std::vector<double> keyMs; // approve and the next item, per key
};

// The reviewer approves what waits for review, up to `count` images, in the review queue's order.
ReviewFigures approveAll(const storage::Workspace &workspace, const annotation::Principal &reviewer,
                         int count);

struct TrainingFigures
{
    qint64 modelId = 0; // 0 when the run failed
    int epochs = 0;
    int trainCount = 0;
    int validationCount = 0;
    double heldOutAccuracy = 0;
    double trainerSeconds = 0; // training alone, as the trainer counts it
    double imagesPerSecond = 0;
    QString failure;
};

// From `digitdesk train --json-progress`.
TrainingFigures trainingFiguresOf(const testing::CliRun &run);

struct ComparisonFigures
{
    int heldOutCount = 0;
    double accuracyA = 0;
    double accuracyB = 0;
    QString intervalA; // "98.1-99.0%"
    QString intervalB;
    int learntA = -1; // held-out images each model trained on; -1 unknown
    int onlyA = 0;    // McNemar's b and c
    int onlyB = 0;
    double pValue = 1;
    QString verdict;
    int approvedSince = 0;
    QString failure;
};

// From `digitdesk eval --model A --against B --dataset vN --json`.
ComparisonFigures comparisonFiguresOf(const testing::CliRun &run);

// The model's calibrated predictions for count x 784 pixels.
std::vector<models::Prediction> predictionsOf(const annotation::ModelRegistry &registry,
                                              qint64 model, const QByteArray &pixels, int count);

void printLabelling(const LabellingFigures &labelling, const ReviewFigures &review, int leastSure);
void printTraining(const TrainingFigures &training, double commandSeconds, bool defaults);
void printComparison(const ComparisonFigures &comparison, int learntByOld, double seconds);
void printPromotion(const PromotionFigures &swap, double aliasMovedSeconds, double rate);

} // namespace digitdesk::bench
