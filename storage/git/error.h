#pragma once

#include <QString>

#include <git2/oid.h>

#include <concepts>

namespace digitdesk::storage::git {

// Initialises libgit2 once for the life of the process (it is never shut down: objects owned
// by statics elsewhere may outlive any point where that would be safe) and turns on strict
// hash verification, strict object creation and fsync of what is written into the repository.
void ensureInitialised();

// git_error_last()'s message, or a stand-in when libgit2 left none.
QString lastErrorMessage(int error);

// Throws StorageError "<doing>: <libgit2's message>".
[[noreturn]] void throwError(int error, const QString &doing);

inline void check(int error, const QString &doing)
{
    if (error < 0) {
        throwError(error, doing);
    }
}

// For hot loops: the description is only built when the call failed.
template <std::invocable Describe> void check(int error, Describe &&describe)
{
    if (error < 0) {
        throwError(error, describe());
    }
}

QString toString(const git_oid &id);
// `hex` must be a full object id (40 hex digits).
git_oid parseObjectId(const QString &hex, const QString &doing);
bool isObjectId(const QString &text);

} // namespace digitdesk::storage::git
