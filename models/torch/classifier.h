#pragma once

#include "models/architecture.h"

#include <istream>
#include <memory>
#include <string>

// Torch types are only declared here; the .cpp files that use them include Torch themselves,
// so this header costs nothing to compile (DESIGN.md: Torch headers only in models/torch/).
namespace at {
class Tensor;
}
namespace torch::nn {
class Module;
}

namespace digitdesk::models::detail {

// A network that maps float [N, 1, 28, 28] in 0..1 (white ink on black) to [N, 10] logits.
class Classifier
{
public:
    virtual ~Classifier() = default;
    virtual at::Tensor forward(const at::Tensor &input) = 0;
    // [N, D] activations of the layer before the logits, where the network exposes them;
    // else its logits (TorchScript).
    virtual at::Tensor features(const at::Tensor &input) { return forward(input); }
    // The module to train, or nullptr when this network cannot be trained here (TorchScript).
    virtual torch::nn::Module *trainable() = 0;
    virtual void setTraining(bool training) = 0;
    // Called once before a network is used only for inference (folds batch norm, say).
    virtual void prepareForInference() {}
    // The batch size this network runs fastest at on a CPU; larger batches are cut into pieces
    // of this size (0: never cut).
    virtual int preferredCpuBatch() const { return 0; }
    virtual void moveToCuda() = 0;
    virtual void save(const std::string &path) = 0;
    virtual Architecture architecture() const = 0;
};

std::unique_ptr<Classifier> makeDigitNet();
std::unique_ptr<Classifier> makeExampleNet();
// Loads a model file of the given architecture; throws std::runtime_error naming the file.
std::unique_ptr<Classifier> loadClassifier(const std::string &path, Architecture architecture);
// As loadClassifier(), from a model file's bytes already in memory (the bytes a digest was taken
// of, never the path again); `name` says which file in errors.
std::unique_ptr<Classifier> loadClassifier(std::istream &bytes, const std::string &name,
                                           Architecture architecture);

} // namespace digitdesk::models::detail
