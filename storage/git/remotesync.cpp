#include "storage/git/remotesync.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"
#include "storage/git/references.h"
#include "storage/git/sharedhistory.h"
#include "storage/storageerror.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

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
    bool isEmpty() const { return m_specs.empty(); }

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

// What the remote holds: its main and the commit each of its vN tags names.
struct RemoteRefs
{
    QString main;
    QHash<QString, QString> tags; // "v1" -> commit
    QSet<QString> tagCommits;
};

RemoteRefs listRemote(git_repository *repository, git_remote *remote, const QString &doing)
{
    const git_remote_head **heads = nullptr;
    size_t headCount = 0;
    check(git_remote_ls(&heads, &headCount, remote), doing);
    const QString tagsPrefix = QStringLiteral("refs/tags/");
    const QString peeledSuffix = QStringLiteral("^{}");
    RemoteRefs refs;
    QHash<QString, QString> peeled;
    for (size_t i = 0; i < headCount; ++i) {
        const QString head = QString::fromUtf8(heads[i]->name);
        const QString id = toString(heads[i]->oid);
        if (head == QString::fromLatin1(MainBranch)) {
            refs.main = id;
        } else if (head.startsWith(tagsPrefix) && head.endsWith(peeledSuffix)) {
            peeled.insert(head.mid(tagsPrefix.size()).chopped(peeledSuffix.size()), id);
        } else if (head.startsWith(tagsPrefix) && isVersionTagName(head.mid(tagsPrefix.size()))) {
            refs.tags.insert(head.mid(tagsPrefix.size()), id);
        }
    }
    // An annotated tag is listed as the tag object, and for a fetch also as "^{}" with the
    // commit it names; for a push it is peeled here when this repository has the tag object.
    for (auto tag = refs.tags.begin(); tag != refs.tags.end(); ++tag) {
        tag.value() = peeled.value(tag.key(), tag.value());
        const git_oid id = parseObjectId(tag.value(), doing);
        Object object;
        if (git_object_lookup(out(object), repository, &id, GIT_OBJECT_TAG) == 0) {
            Object commit;
            if (git_object_peel(out(commit), object.get(), GIT_OBJECT_COMMIT) == 0) {
                tag.value() = toString(*git_object_id(commit.get()));
            }
        }
        refs.tagCommits.insert(tag.value());
    }
    return refs;
}

// The name an own version takes on the remote: its own when that is free there, else the name
// followed by its commit's first 8 hex digits ("v1-1a2b3c4d"). The commit is the version's
// identity; the name only has to be one that nobody else's version holds.
QString remoteTagName(const GitTag &tag, const RemoteRefs &theirs, const QString &doing)
{
    if (!theirs.tags.contains(tag.name)) {
        return tag.name;
    }
    const QString qualified = tag.name + QLatin1Char('-') + tag.commitId.left(8);
    if (theirs.tags.contains(qualified)) {
        throw StorageError(doing + QStringLiteral(": refused: the remote's %1 and %2 both name "
                                                  "other versions than %1 here (%3)")
                                       .arg(tag.name, qualified, tag.commitId));
    }
    return qualified;
}

// A path (or file:// URL) that leads nowhere is named as such, before libgit2 says less.
void requireReachable(const QString &url, const QString &doing)
{
    QString path = url;
    if (url.startsWith(QStringLiteral("file://"))) {
        path = QUrl(url).toLocalFile();
    } else if (url.contains(QStringLiteral("://")) ||
               QRegularExpression(QStringLiteral("^[^/]+:")).match(url).hasMatch()) {
        return; // a network remote: libgit2's answer names the problem
    }
    if (!QFileInfo(path).isDir()) {
        throw StorageError(doing + QStringLiteral(": there is no repository at %1 (create one "
                                                  "with `git init --bare %1`)")
                                       .arg(path));
    }
}

} // namespace

PushedVersions pushVersions(git_repository *repository, PackedObjectWriter &writer,
                            const QString &url, bool withTags, const QByteArray &joinMessage,
                            const git_signature *author)
{
    const QString doing = QStringLiteral("pushing to %1").arg(url);
    if (commitOfReference(repository, QString::fromLatin1(MainBranch)).isEmpty()) {
        throw StorageError(doing + QStringLiteral(": no version has been published yet"));
    }
    requireReachable(url, doing);
    const Remote remote = anonymousRemote(repository, url, doing);
    git_remote_callbacks callbacks;
    check(git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION), doing);
    check(git_remote_connect(remote.get(), GIT_DIRECTION_PUSH, &callbacks, nullptr, nullptr),
          doing);
    const RemoteRefs theirs = listRemote(repository, remote.get(), doing);

    // Their main must be part of what is sent: else versions there are missing here.
    const QStringList heads = sharedHeads(repository, {});
    const auto contains = [&](const QString &tip) {
        return isContainedIn(repository, theirs.main, tip);
    };
    if (!theirs.main.isEmpty() && std::none_of(heads.cbegin(), heads.cend(), contains)) {
        throw RemoteAhead(doing + QStringLiteral(": refused as not a fast-forward: its main (%1) "
                                                 "holds versions that this repository's history "
                                                 "does not contain; pull first")
                                      .arg(theirs.main));
    }
    const QString sent = moveSharedHistory(repository, writer, heads, joinMessage, author);
    const bool sharing =
        !commitOfReference(repository, QString::fromLatin1(SharedBranch)).isEmpty();

    PushedVersions pushed;
    Refspecs refspecs;
    if (!isContainedIn(repository, sent, theirs.main)) {
        refspecs.add(
            QStringLiteral("%1:%2").arg(QString::fromLatin1(sharing ? SharedBranch : MainBranch),
                                        QString::fromLatin1(MainBranch)));
        pushed.mainCommit = sent;
    }
    if (withTags) {
        for (const GitTag &tag : readTags(repository)) {
            if (!isVersionTagName(tag.name) || theirs.tagCommits.contains(tag.commitId)) {
                continue; // named there already, under this name or another
            }
            const QString name = remoteTagName(tag, theirs, doing);
            refspecs.add(QStringLiteral("refs/tags/%1:refs/tags/%2").arg(tag.name, name));
            pushed.tags.emplace_back(tag.name, name);
        }
    }
    if (refspecs.isEmpty()) {
        check(git_remote_disconnect(remote.get()), doing);
        return pushed;
    }
    QStringList rejections;
    git_push_options options;
    check(git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION), doing);
    options.callbacks.push_update_reference = collectRejection;
    options.callbacks.payload = &rejections;
    const git_strarray specs = refspecs.array();
    const int error = git_remote_push(remote.get(), &specs, &options);
    if (error == GIT_ENONFASTFORWARD) {
        throw RemoteAhead(doing +
                          QStringLiteral(": refused as not a fast-forward (the remote has "
                                         "commits this repository lacks; pull first): ") +
                          lastErrorMessage(error));
    }
    check(error, doing);
    if (!rejections.isEmpty()) {
        throw StorageError(doing + QStringLiteral(": refused: ") +
                           rejections.join(QStringLiteral("; ")));
    }
    return pushed;
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
    requireReachable(url, doing);
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
