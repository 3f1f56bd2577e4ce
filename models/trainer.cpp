#include "models/trainer.h"

#include "models/private/backend.h"

#include <stdexcept>

namespace digitdesk::models {

TrainingResult Trainer::train(const LabelledImages &data, const TrainingOptions &options,
                              const QString &outputPath, const ProgressHandler &progress,
                              const std::atomic<bool> *cancel)
{
    if (data.pixels.size() != data.count() * PixelCount || data.count() < 10) {
        throw std::runtime_error("training needs at least 10 labelled 28x28 images");
    }
    if (options.epochs < 1 || options.batchSize < 1 || !(options.learningRate > 0)) {
        throw std::runtime_error("epochs, batch size and learning rate must be positive");
    }
    setIntraOpThreads(options.threads);
    tuneMemoryAllocator();
    return detail::backend().train(data, options, outputPath, progress, cancel);
}

} // namespace digitdesk::models
