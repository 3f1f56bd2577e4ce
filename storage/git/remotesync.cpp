#include "storage/git/remotesync.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"
#include "storage/git/references.h"
#include "storage/storageerror.h"

#include <algorithm>

// Options come from libgit2's *_init functions rather than the *_INIT macros, whose partial
// initialisers clang flags as missing fields.
namespace digitdesk::storage::git {
namespace {

// Refspecs as the git_strarray libgit2 takes; the strings stay owned here.
class Refspecs
{
public:
    void add(const QString &refspec) { m_specs.push_back(refspec.toUtf8()); }

    git_strarray array()
    {
        m_pointers.clear();
        for (QByteArray &spec : m_specs) {
            m_pointers.push_back(spec.data());
        }
        return {m_pointers.data(), m_pointers.size()};
    }

private:
    std::vector<QByteArray> m_specs;
    std::vector<char *> m_pointers;
};

int collectRejection(const char *referenceName, const char *status, void *payload)
{
    if (status) {
        static_cast<QStringList *>(payload)->append(QStringLiteral("%1 (%2)").arg(
            QString::fromUtf8(referenceName), QString::fromUtf8(status)));
    }
    return 0;
}

// A remote with no name, for the URL as given: url.<base>.insteadOf is not applied. Those
// rewrites mostly lead to ssh, which needs credentials that are not offered here; and libgit2
// 1.5 leaks a regex match block for every configuration entry it tests them against.
Remote anonymousRemote(git_repository *repository, const QString &url, const QString &doing)
{
    git_remote_create_options options;
    check(git_remote_create_options_init(&options, GIT_REMOTE_CREATE_OPTIONS_VERSION), doing);
    options.repository = repository;
    options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    Remote remote;
    check(git_remote_create_with_opts(out(remote), url.toUtf8().constData(), &options), doing);
    return remote;
}

} // namespace

void pushVersions(git_repository *repository, const QString &url, bool withTags)
{
    const QString doing = QStringLiteral("pushing to %1").arg(url);
    if (commitOfReference(repository, QString::fromLatin1(MainBranch)).isEmpty()) {
        throw StorageError(doing + QStringLiteral(": no version has been published yet"));
    }
    Refspecs refspecs;
    refspecs.add(QStringLiteral("%1:%1").arg(QString::fromLatin1(MainBranch)));
    if (withTags) {
        for (const GitTag &tag : readTags(repository)) {
            if (isVersionTagName(tag.name)) {
                refspecs.add(QStringLiteral("refs/tags/%1:refs/tags/%1").arg(tag.name));
            }
        }
    }
    const Remote remote = anonymousRemote(repository, url, doing);
    QStringList rejections;
    git_push_options options;
    check(git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION), doing);
    options.callbacks.push_update_reference = collectRejection;
    options.callbacks.payload = &rejections;
    const git_strarray specs = refspecs.array();
    const int error = git_remote_push(remote.get(), &specs, &options);
    if (error == GIT_ENONFASTFORWARD) {
        throwError(error, doing + QStringLiteral(": refused as not a fast-forward (the remote has "
                                                 "commits this repository lacks; fetch first)"));
    }
    check(error, doing);
    if (!rejections.isEmpty()) {
        throw StorageError(doing + QStringLiteral(": refused: ") +
                           rejections.join(QStringLiteral("; ")));
    }
}

std::vector<GitTag> fetchVersions(git_repository *repository, const QString &url,
                                  const QString &name)
{
    const QString doing = QStringLiteral("fetching from %1").arg(url);
    int validName = 0;
    check(git_reference_name_is_valid(
              &validName, QStringLiteral("refs/remotes/%1/main").arg(name).toUtf8().constData()),
          doing);
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || !validName) {
        throw StorageError(doing + QStringLiteral(": \"%1\" cannot name a remote").arg(name));
    }
    const Remote remote = anonymousRemote(repository, url, doing);
    git_remote_callbacks callbacks;
    check(git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION), doing);
    check(git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr),
          doing);

    const git_remote_head **heads = nullptr;
    size_t headCount = 0;
    check(git_remote_ls(&heads, &headCount, remote.get()), doing);
    const QString tagsPrefix = QStringLiteral("refs/tags/");
    QStringList remoteTags;
    for (size_t i = 0; i < headCount; ++i) {
        const QString head = QString::fromUtf8(heads[i]->name);
        if (head.startsWith(tagsPrefix) && !head.endsWith(QStringLiteral("^{}")) &&
            isVersionTagName(head.mid(tagsPrefix.size()))) {
            remoteTags << head.mid(tagsPrefix.size());
        }
    }

    Refspecs refspecs;
    refspecs.add(
        QStringLiteral("+%1:refs/remotes/%2/main").arg(QString::fromLatin1(MainBranch), name));
    refspecs.add(QStringLiteral("+refs/tags/v*:refs/tags/%1/v*").arg(name));
    const git_strarray specs = refspecs.array();
    git_fetch_options options;
    check(git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION), doing);
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    options.prune = GIT_FETCH_NO_PRUNE;
    options.update_fetchhead = 0;
    check(git_remote_download(remote.get(), &specs, &options), doing);
    check(git_remote_update_tips(remote.get(), &callbacks, /*update_fetchhead=*/0,
                                 GIT_REMOTE_DOWNLOAD_TAGS_NONE, "fetch dataset versions"),
          doing);
    check(git_remote_disconnect(remote.get()), doing);

    std::vector<GitTag> fetched;
    for (const QString &tag : std::as_const(remoteTags)) {
        const QString local = name + QLatin1Char('/') + tag;
        const QString commit = commitOfReference(repository, tagsPrefix + local);
        if (commit.isEmpty()) {
            throw StorageError(doing + QStringLiteral(": the remote's %1 did not arrive").arg(tag));
        }
        fetched.push_back({local, commit});
    }
    std::sort(fetched.begin(), fetched.end(),
              [](const GitTag &a, const GitTag &b) { return tagNameLess(a.name, b.name); });
    return fetched;
}

} // namespace digitdesk::storage::git
