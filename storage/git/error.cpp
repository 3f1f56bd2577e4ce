#include "storage/git/error.h"

#include "storage/storageerror.h"

#include <git2.h>

#include <algorithm>

namespace digitdesk::storage::git {

void ensureInitialised()
{
    static const bool initialised = [] {
        const int error = git_libgit2_init();
        check(error, QStringLiteral("initialising libgit2"));
        check(git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1),
              QStringLiteral("enabling hash verification"));
        check(git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1),
              QStringLiteral("enabling strict object creation"));
        check(git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1),
              QStringLiteral("enabling fsync of the repository"));
        return true;
    }();
    Q_UNUSED(initialised);
}

QString lastErrorMessage(int error)
{
    const git_error *last = git_error_last();
    return last && last->message ? QString::fromUtf8(last->message).trimmed()
                                 : QStringLiteral("libgit2 error %1").arg(error);
}

void throwError(int error, const QString &doing)
{
    throw StorageError(doing + QStringLiteral(": ") + lastErrorMessage(error));
}

QString toString(const git_oid &id)
{
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &id);
    return QString::fromLatin1(hex);
}

bool isObjectId(const QString &text)
{
    if (text.size() != GIT_OID_HEXSZ) {
        return false;
    }
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
               (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
               (c >= QLatin1Char('A') && c <= QLatin1Char('F'));
    });
}

git_oid parseObjectId(const QString &hex, const QString &doing)
{
    if (!isObjectId(hex)) {
        throw StorageError(
            QStringLiteral("%1: \"%2\" is not an object id (40 hex digits)").arg(doing, hex));
    }
    git_oid id;
    check(git_oid_fromstr(&id, hex.toLatin1().constData()), doing);
    return id;
}

} // namespace digitdesk::storage::git
