#pragma once

#include "app/cli/idxdata.h"
#include "models/trainer.h"

#include <QString>

#include <atomic>
#include <optional>

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::app {

class ArgumentParser;

// A training run that this process has claimed, and what it trains on.
struct TrainingJob
{
    qint64 runId = 0;
    QString datasetTag; // checked out of dataset.git; empty when `data` is given
    QString datasetCommit;
    std::optional<IdxData> data; // IDX files read already
    models::TrainingOptions options;
    QString hyperparameters; // JSON, as recorded
    bool json = false;       // one JSON event per line on stdout
};

// Carries out a claimed run, as `digitdesk train` and `digitdesk retrain` do: checks out the
// version, trains, evaluates and registers the model, and records how the run ended. Output
// goes to stdout and stderr and, line by line, to logs/train-run-<id>.log, so a killed run
// leaves its last lines. `cancel` is read between phases and at every training step; the
// checkout and the final evaluation are not interrupted (about 2 s each at 60,000 images).
// Returns the exit code; throws after recording the run as failed.
int carryOutTrainingRun(const storage::Workspace &workspace, TrainingJob job,
                        const std::atomic<bool> &cancel);

// --device, --threads and --json-progress, which `digitdesk train` and `retrain` both take (last
// in their usage, in this order).
void addRunOptions(ArgumentParser &parser);

// The options as a run records them (compact JSON).
QString hyperparametersOf(const models::TrainingOptions &options);

} // namespace digitdesk::app
