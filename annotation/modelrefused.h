#pragma once

#include <QString>

#include <stdexcept>

namespace digitdesk::annotation {

// A model that must not be used or registered: its file is missing, damaged (digest mismatch),
// unloadable, or failed the import check. The message names the file and the reason.
class ModelRefused final : public std::runtime_error
{
public:
    explicit ModelRefused(const QString &message) : std::runtime_error(message.toStdString()) {}
};

} // namespace digitdesk::annotation
