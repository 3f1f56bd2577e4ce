#include "storage/datasetgit.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"
#include "storage/git/objectcheck.h"
#include "storage/git/packedobjectwriter.h"
#include "storage/git/references.h"
#include "storage/git/remotesync.h"
#include "storage/git/sharedhistory.h"
#include "storage/git/treereader.h"
#include "storage/git/treewriter.h"
#include "storage/storageerror.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstring>

namespace digitdesk::storage {

using git::check;
using git::out;

namespace {

constexpr char TagsPrefix[] = "refs/tags/";

// Git's own tools end every message with a newline; `git log` and fsck expect it.
QByteArray withFinalNewline(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (!bytes.endsWith('\n')) {
        bytes += '\n';
    }
    return bytes;
}

QString subjectOf(const QString &message)
{
    return message.section(QLatin1Char('\n'), 0, 0).left(60);
}

git::Signature toSignature(const GitSignature &signature, const QString &doing)
{
    const QDateTime when =
        signature.when.isValid() ? signature.when : QDateTime::currentDateTimeUtc();
    git::Signature result;
    check(git_signature_new(out(result), signature.name.toUtf8().constData(),
                            signature.email.toUtf8().constData(), when.toSecsSinceEpoch(),
                            when.offsetFromUtc() / 60),
          QStringLiteral("%1: signing as %2 <%3>").arg(doing, signature.name, signature.email));
    return result;
}

QString orNone(const QString &commit)
{
    return commit.isEmpty() ? QStringLiteral("no commit") : commit;
}

} // namespace

struct DatasetGit::Private
{
    QString path;
    git::Repository repository;
    std::unique_ptr<git::PackedObjectWriter> writer;

    git_repository *repo() const { return repository.get(); }

    git_oid resolveRevision(const QString &revision) const
    {
        const QString doing = QStringLiteral("resolving \"%1\"").arg(revision);
        if (revision.isEmpty()) {
            throw StorageError(doing + QStringLiteral(": no revision given"));
        }
        git::Object object;
        const int error = git_revparse_single(out(object), repo(), revision.toUtf8().constData());
        if (error == GIT_ENOTFOUND) {
            throw StorageError(doing + QStringLiteral(": no tag, branch or commit has that name"));
        }
        check(error, doing);
        git::Object commit;
        check(git_object_peel(out(commit), object.get(), GIT_OBJECT_COMMIT), doing);
        return *git_object_id(commit.get());
    }

    // A commit by id, or by tag or branch name.
    git::Commit commit(const QString &revision, const QString &doing) const
    {
        const git_oid id = git::isObjectId(revision) ? git::parseObjectId(revision, doing)
                                                     : resolveRevision(revision);
        git::Commit commit;
        check(git_commit_lookup(out(commit), repo(), &id),
              QStringLiteral("%1: reading commit %2").arg(doing, revision));
        return commit;
    }

    // The commit's tree; none for an empty revision where that stands for the empty tree.
    git::Tree treeOf(const QString &revision, const QString &doing, bool emptyMeansNone) const
    {
        git::Tree tree;
        if (revision.isEmpty() && !emptyMeansNone) {
            throw StorageError(doing + QStringLiteral(": no commit given"));
        }
        if (!revision.isEmpty()) {
            check(git_commit_tree(out(tree), commit(revision, doing).get()), doing);
        }
        return tree;
    }

    void pointHeadAtMain(const QString &doing)
    {
        git::Reference head;
        const int error = git_reference_lookup(out(head), repo(), "HEAD");
        if (error != GIT_ENOTFOUND) {
            check(error, doing + QStringLiteral(": reading HEAD"));
            if (git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC &&
                std::strcmp(git_reference_symbolic_target(head.get()), git::MainBranch) == 0) {
                return;
            }
        }
        git::Reference updated;
        check(git_reference_symbolic_create(out(updated), repo(), "HEAD", git::MainBranch,
                                            /*force=*/1, nullptr),
              doing + QStringLiteral(": pointing HEAD at main"));
    }
};

DatasetGit::DatasetGit(const QString &repositoryPath, bool createIfMissing)
    : d(std::make_unique<Private>())
{
    git::ensureInitialised();
    d->path = QDir(repositoryPath).absolutePath();
    const QByteArray nativePath = QFile::encodeName(d->path);
    const QFileInfo folder(d->path);
    if (createIfMissing && (!folder.exists() || (folder.isDir() && QDir(d->path).isEmpty()))) {
        const QString doing = QStringLiteral("creating the dataset repository %1").arg(d->path);
        git_repository_init_options options;
        git::check(git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION),
                   doing);
        options.flags =
            GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
        options.initial_head = "main";
        check(git_repository_init_ext(out(d->repository), nativePath.constData(), &options), doing);
    } else {
        const QString doing = QStringLiteral("opening the dataset repository %1").arg(d->path);
        check(git_repository_open_ext(out(d->repository), nativePath.constData(),
                                      GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
              doing);
        if (!git_repository_is_bare(d->repo())) {
            throw StorageError(doing + QStringLiteral(": it is not a bare repository"));
        }
    }
    d->writer = std::make_unique<git::PackedObjectWriter>(d->repo());
}

DatasetGit::~DatasetGit() = default;
DatasetGit::DatasetGit(DatasetGit &&) noexcept = default;
DatasetGit &DatasetGit::operator=(DatasetGit &&) noexcept = default;

QString DatasetGit::path() const
{
    return d->path;
}

QStringList DatasetGit::removeStaleLocks()
{
    QStringList removed;
    const QDir root(d->path);
    QStringList candidates{root.filePath(QStringLiteral("HEAD.lock")),
                           root.filePath(QStringLiteral("packed-refs.lock")),
                           root.filePath(QStringLiteral("config.lock"))};
    QDirIterator refs(root.filePath(QStringLiteral("refs")), {QStringLiteral("*.lock")},
                      QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (refs.hasNext()) {
        candidates << refs.next();
    }
    for (const QString &file : candidates) {
        if (QFileInfo::exists(file)) {
            if (!QFile::remove(file)) {
                throw StorageError(
                    QStringLiteral("removing the stale lock file %1 failed").arg(file));
            }
            removed << root.relativeFilePath(file);
        }
    }
    return removed;
}

QString DatasetGit::writeCommit(const QString &parentCommit, const std::vector<TreeChange> &changes,
                                const QString &message, const GitSignature &author)
{
    const QString subject = subjectOf(message);
    const QString doing = QStringLiteral("writing the commit \"%1\"").arg(subject);
    git::Commit parent;
    git::Tree base;
    if (!parentCommit.isEmpty()) {
        parent = d->commit(parentCommit, doing);
        check(git_commit_tree(out(base), parent.get()), doing);
    }
    const git::Signature signature = toSignature(author, doing);

    const git::DiscardUnpacked batch(*d->writer);
    const git_oid treeId =
        git::writeChangedTree(d->repo(), *d->writer, base.get(), changes, subject);
    git::Tree tree;
    check(git_tree_lookup(out(tree), d->repo(), &treeId), doing);
    const git_commit *parents[] = {parent.get()};
    git_oid commitId;
    check(git_commit_create(&commitId, d->repo(), nullptr, signature.get(), signature.get(),
                            nullptr, withFinalNewline(message).constData(), tree.get(),
                            parent ? 1 : 0, parents),
          doing);
    d->writer->noteWritten(commitId);
    d->writer->writePack(QStringLiteral("writing the pack of \"%1\"").arg(subject));
    return git::toString(commitId);
}

void DatasetGit::publish(const QString &commitId, const QString &expectedHead, const QString &tag,
                         const QString &tagMessage, const GitSignature &tagger)
{
    const QString doing = QStringLiteral("publishing %1").arg(tag);
    const QByteArray tagReference = TagsPrefix + tag.toUtf8();
    int validName = 0;
    check(git_reference_name_is_valid(&validName, tagReference.constData()), doing);
    if (tag.isEmpty() || !validName) {
        throw StorageError(doing + QStringLiteral(": not a valid tag name"));
    }
    const git::Commit commit = d->commit(commitId, doing);
    const git_oid *target = git_commit_id(commit.get());
    const QString tagged = git::commitOfReference(d->repo(), QString::fromUtf8(tagReference));
    if (!tagged.isEmpty()) {
        throw StorageError(
            doing + QStringLiteral(": the tag %1 already exists (on commit %2)").arg(tag, tagged));
    }
    git_oid expected{}; // all zero: main must not exist yet
    if (!expectedHead.isEmpty()) {
        expected = git::parseObjectId(expectedHead, doing);
    }
    const QString currentHead = head();
    if (currentHead != (expectedHead.isEmpty() ? QString() : git::toString(expected))) {
        throw StorageError(
            doing + QStringLiteral(": main is at %1, not at %2 as expected (another version was "
                                   "published meanwhile)")
                        .arg(orNone(currentHead), orNone(expectedHead)));
    }

    git::Object targetObject;
    check(git_object_lookup(out(targetObject), d->repo(), target, GIT_OBJECT_COMMIT), doing);
    const git::Signature signature = toSignature(tagger, doing);
    git_oid tagId;
    {
        const git::DiscardUnpacked batch(*d->writer);
        check(git_tag_annotation_create(&tagId, d->repo(), tag.toUtf8().constData(),
                                        targetObject.get(), signature.get(),
                                        withFinalNewline(tagMessage).constData()),
              doing + QStringLiteral(": writing the tag"));
        d->writer->noteWritten(tagId);
        d->writer->writePack(doing + QStringLiteral(": writing the tag's pack"));
    }
    const QByteArray log = "publish " + tag.toUtf8();
    git::Reference tagRef;
    const int tagError = git_reference_create(out(tagRef), d->repo(), tagReference.constData(),
                                              &tagId, /*force=*/0, log.constData());
    if (tagError == GIT_EEXISTS) {
        throw StorageError(doing + QStringLiteral(": the tag %1 already exists").arg(tag));
    }
    check(tagError, doing + QStringLiteral(": creating the tag"));

    git::Reference main;
    const int mainError = git_reference_create_matching(
        out(main), d->repo(), git::MainBranch, target, /*force=*/1, &expected, log.constData());
    if (mainError < 0) {
        QString reason =
            mainError == GIT_EMODIFIED
                ? QStringLiteral("main moved away from %1 meanwhile").arg(orNone(expectedHead))
                : QStringLiteral("moving main: ") + git::lastErrorMessage(mainError);
        if (const int error = git_reference_delete(tagRef.get()); error < 0) {
            reason += QStringLiteral("; the tag could not be taken back: ") +
                      git::lastErrorMessage(error);
        }
        throw StorageError(doing + QStringLiteral(": ") + reason);
    }
    d->pointHeadAtMain(doing);
}

void DatasetGit::unpublish(const QString &tag, const QString &previousHead)
{
    const QString doing = QStringLiteral("unpublishing %1").arg(tag);
    git::Commit previous; // checked before anything changes
    if (!previousHead.isEmpty()) {
        previous = d->commit(previousHead, doing);
    }
    git::Reference tagRef;
    const int tagError =
        git_reference_lookup(out(tagRef), d->repo(), (TagsPrefix + tag.toUtf8()).constData());
    if (tagError != GIT_ENOTFOUND) {
        check(tagError, doing);
        check(git_reference_delete(tagRef.get()), doing + QStringLiteral(": deleting the tag"));
    }
    git::Reference main;
    if (previousHead.isEmpty()) {
        const int mainError = git_reference_lookup(out(main), d->repo(), git::MainBranch);
        if (mainError != GIT_ENOTFOUND) {
            check(mainError, doing);
            check(git_reference_delete(main.get()), doing + QStringLiteral(": deleting main"));
        }
        return;
    }
    const QByteArray log = "unpublish " + tag.toUtf8();
    check(git_reference_create(out(main), d->repo(), git::MainBranch, git_commit_id(previous.get()),
                               /*force=*/1, log.constData()),
          doing + QStringLiteral(": moving main back to %1").arg(previousHead));
}

QString DatasetGit::head() const
{
    return git::commitOfReference(d->repo(), QString::fromLatin1(git::MainBranch));
}

QString DatasetGit::resolve(const QString &revision) const
{
    return git::toString(d->resolveRevision(revision));
}

std::vector<GitTag> DatasetGit::tags() const
{
    return git::readTags(d->repo());
}

QString DatasetGit::commitMessage(const QString &commitId) const
{
    const git::Commit commit = d->commit(commitId, QStringLiteral("reading a commit message"));
    QString message = QString::fromUtf8(git_commit_message(commit.get()));
    while (message.endsWith(QLatin1Char('\n'))) {
        message.chop(1);
    }
    return message;
}

GitSignature DatasetGit::commitAuthor(const QString &commitId) const
{
    const git::Commit commit = d->commit(commitId, QStringLiteral("reading a commit's author"));
    const git_signature *author = git_commit_author(commit.get());
    return {QString::fromUtf8(author->name), QString::fromUtf8(author->email),
            QDateTime::fromSecsSinceEpoch(author->when.time, Qt::UTC)};
}

QString DatasetGit::commitParent(const QString &commitId) const
{
    const git::Commit commit = d->commit(commitId, QStringLiteral("reading a commit's parent"));
    if (git_commit_parentcount(commit.get()) == 0) {
        return {};
    }
    return git::toString(*git_commit_parent_id(commit.get(), 0));
}

QByteArray DatasetGit::readFile(const QString &commitId, const QString &path) const
{
    const QString doing = QStringLiteral("reading %1 of %2").arg(path, commitId);
    return git::readTreeFile(d->repo(), d->treeOf(commitId, doing, /*emptyMeansNone=*/false).get(),
                             path, doing);
}

QHash<QString, QByteArray> DatasetGit::readFiles(const QString &commitId,
                                                 const QString &prefix) const
{
    const QString doing = QStringLiteral("reading the files under %1 of %2").arg(prefix, commitId);
    return git::readTreeFiles(d->repo(), d->treeOf(commitId, doing, /*emptyMeansNone=*/false).get(),
                              prefix, doing);
}

QStringList DatasetGit::listFiles(const QString &commitId, const QString &prefix) const
{
    const QString doing = QStringLiteral("listing the files of %1").arg(commitId);
    return git::listTreeFiles(d->repo(), d->treeOf(commitId, doing, /*emptyMeansNone=*/false).get(),
                              prefix, doing);
}

std::vector<TreeDifference> DatasetGit::diff(const QString &fromCommit,
                                             const QString &toCommit) const
{
    const QString doing =
        QStringLiteral("comparing %1 with %2").arg(orNone(fromCommit), orNone(toCommit));
    return git::diffTrees(d->repo(), d->treeOf(fromCommit, doing, /*emptyMeansNone=*/true).get(),
                          d->treeOf(toCommit, doing, /*emptyMeansNone=*/true).get(), doing);
}

QStringList DatasetGit::checkObjects(const QString &commitId) const
{
    const git_oid id = git::isObjectId(commitId)
                           ? git::parseObjectId(commitId, QStringLiteral("checking objects"))
                           : d->resolveRevision(commitId);
    return git::checkReachableObjects(d->path, id);
}

DatasetGit::ObjectCounts DatasetGit::countObjects() const
{
    const git::ObjectFiles files = git::countObjectFiles(d->path);
    return {files.looseObjects, files.packs, files.packBytes};
}

PushedVersions DatasetGit::push(const QString &remote, bool withTags, const GitSignature &author)
{
    const QString doing = QStringLiteral("pushing to %1").arg(remote);
    const GitSignature joiner = author.name.isEmpty()
                                    ? GitSignature{QStringLiteral("DigitDesk"),
                                                   QStringLiteral("digitdesk@digitdesk.invalid"),
                                                   {}}
                                    : author;
    return git::pushVersions(
        d->repo(), *d->writer, remote, withTags,
        withFinalNewline(QStringLiteral("Join the newest versions into the shared history")),
        toSignature(joiner, doing).get());
}

std::vector<GitTag> DatasetGit::fetch(const QString &remote, const QString &name)
{
    return git::fetchVersions(d->repo(), remote, name);
}

QString DatasetGit::joinFetched(const QString &name, const GitSignature &author)
{
    const QString doing = QStringLiteral("joining the versions fetched from %1").arg(name);
    const QString fetched =
        git::commitOfReference(d->repo(), QStringLiteral("refs/remotes/%1/main").arg(name));
    if (fetched.isEmpty()) {
        return shared();
    }
    const QStringList heads = git::sharedHeads(d->repo(), fetched);
    if (heads.isEmpty()) {
        return {};
    }
    return git::moveSharedHistory(
        d->repo(), *d->writer, heads,
        withFinalNewline(QStringLiteral("Join the versions of %1\n\nIts main was at %2; a version "
                                        "is a whole snapshot, so this tree is main's.")
                             .arg(name, fetched)),
        toSignature(author, doing).get());
}

QString DatasetGit::shared() const
{
    return git::commitOfReference(d->repo(), QString::fromLatin1(git::SharedBranch));
}

} // namespace digitdesk::storage
