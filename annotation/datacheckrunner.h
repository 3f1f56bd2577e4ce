#pragma once

#include "annotation/datacheckreport.h"
#include "models/computedevice.h"
#include "models/trainer.h"

#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct DataCheckOptions
{
    int folds = 5;
    int epochs = 3; // per fold: enough for out-of-fold probabilities, far fewer than a release
    quint64 seed = 1;
    int threads = 0; // LibTorch intra-op threads; 0 means the core count
    models::DeviceRequest device = models::DeviceRequest::Auto;
};

struct DataCheckProgress
{
    QString phase; // "fold", "duplicates", "report"
    int fold = 0;  // 1-based, while training
    int folds = 0;
    int epoch = 0;
    int epochs = 0;
    double done = 0; // of the whole check, 0..1
    double etaSeconds = -1;
};

// A version's digits as the trainer reads them (labels.csv order) with their names, and the
// indices the trainer's own split holds out (annotation/heldoutsplit.h).
struct DataCheckData
{
    std::vector<QString> sha256;
    models::LabelledImages images;
    std::vector<size_t> heldOut;
};

// The smallest number of digits per fold a check trains on.
inline constexpr int MinImagesPerFold = 20;

// The checks that need no database: K-fold training through models::Trainer (each fold's model
// written to `workFolder`), out-of-fold probabilities, embeddings and energy scores from each
// fold's model; confident learning on the probabilities; near-duplicates and leakage; class
// counts; outliers. Drift against other distributions and the version's name are the caller's.
// Returns nothing when `cancel` was set (checked at every training step). Throws
// std::invalid_argument when there are fewer than folds x MinImagesPerFold digits.
std::optional<DataCheckReport>
runDataCheck(const DataCheckData &data, const DataCheckOptions &options, const QString &workFolder,
             const std::function<void(const DataCheckProgress &)> &progress = {},
             const std::atomic<bool> *cancel = nullptr);

} // namespace digitdesk::annotation
