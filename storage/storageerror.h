#pragma once

#include <QString>

#include <stdexcept>

namespace digitdesk::storage {

// Thrown by the storage layer; what() names the thing that failed and the reason.
class StorageError : public std::runtime_error
{
public:
    explicit StorageError(const QString &message);
    QString message() const;
};

// The workspace exists but this binary must not use it (newer schema, not a workspace, ...).
class WorkspaceRefused final : public StorageError
{
public:
    using StorageError::StorageError;
};

} // namespace digitdesk::storage
