#pragma once

#include <QString>

#include <optional>

namespace digitdesk::models {

// What a model file holds: DigitDesk's own network, PyTorch's example MNIST network (both
// trained here and saved with torch::save), or a TorchScript module saved from Python.
enum class Architecture
{
    DigitNet,
    ExampleNet,
    TorchScript
};

QString toString(Architecture architecture);
std::optional<Architecture> architectureFromString(const QString &text);

} // namespace digitdesk::models
