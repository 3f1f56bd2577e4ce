#include "models/architecture.h"

namespace digitdesk::models {

QString toString(Architecture architecture)
{
    switch (architecture) {
    case Architecture::DigitNet:
        return QStringLiteral("digitnet");
    case Architecture::ExampleNet:
        return QStringLiteral("examplenet");
    case Architecture::TorchScript:
        return QStringLiteral("torchscript");
    }
    return {};
}

std::optional<Architecture> architectureFromString(const QString &text)
{
    for (Architecture a :
         {Architecture::DigitNet, Architecture::ExampleNet, Architecture::TorchScript}) {
        if (toString(a) == text) {
            return a;
        }
    }
    return std::nullopt;
}

} // namespace digitdesk::models
