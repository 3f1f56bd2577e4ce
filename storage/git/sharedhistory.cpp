#include "storage/git/sharedhistory.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"
#include "storage/git/references.h"
#include "storage/storageerror.h"

#include <vector>

namespace digitdesk::storage::git {

bool isContainedIn(git_repository *repository, const QString &commit, const QString &tip)
{
    const QString doing = QStringLiteral("comparing the histories of %1 and %2").arg(commit, tip);
    if (commit.isEmpty() || tip.isEmpty()) {
        return false;
    }
    const git_oid commitId = parseObjectId(commit, doing);
    const git_oid tipId = parseObjectId(tip, doing);
    if (git_oid_equal(&commitId, &tipId)) {
        return true;
    }
    Odb odb;
    check(git_repository_odb(out(odb), repository), doing);
    if (!git_odb_exists(odb.get(), &commitId) || !git_odb_exists(odb.get(), &tipId)) {
        return false;
    }
    const int descendant = git_graph_descendant_of(repository, &tipId, &commitId);
    check(descendant, doing);
    return descendant == 1;
}

QStringList sharedHeads(git_repository *repository, const QString &fetchedMain)
{
    const QString main = commitOfReference(repository, QString::fromLatin1(MainBranch));
    if (main.isEmpty()) {
        return {};
    }
    QStringList candidates{main};
    for (const QString &other :
         {commitOfReference(repository, QString::fromLatin1(SharedBranch)), fetchedMain}) {
        if (!other.isEmpty() && !candidates.contains(other)) {
            candidates << other;
        }
    }
    QStringList heads;
    for (const QString &candidate : std::as_const(candidates)) {
        bool contained = false;
        for (const QString &other : std::as_const(candidates)) {
            contained =
                contained || (other != candidate && isContainedIn(repository, candidate, other));
        }
        if (!contained) {
            heads << candidate;
        }
    }
    return heads;
}

QString moveSharedHistory(git_repository *repository, PackedObjectWriter &writer,
                          const QStringList &heads, const QByteArray &message,
                          const git_signature *author)
{
    const QString doing = QStringLiteral("joining the histories %1").arg(heads.join(u", "));
    const QString main = commitOfReference(repository, QString::fromLatin1(MainBranch));
    const QString shared = commitOfReference(repository, QString::fromLatin1(SharedBranch));
    if (heads.isEmpty() || (heads == QStringList{main} && shared.isEmpty())) {
        return heads.value(0);
    }
    if (heads.first() != main && heads.size() > 1) {
        throw StorageError(doing + QStringLiteral(": main (%1) must come first").arg(main));
    }
    git_oid target = parseObjectId(heads.first(), doing);
    if (heads.size() > 1) {
        std::vector<Commit> parents;
        for (const QString &head : heads) {
            const git_oid id = parseObjectId(head, doing);
            check(git_commit_lookup(out(parents.emplace_back()), repository, &id), doing);
        }
        std::vector<const git_commit *> parentPointers;
        for (const Commit &parent : parents) {
            parentPointers.push_back(parent.get());
        }
        Tree tree;
        check(git_commit_tree(out(tree), parents.front().get()), doing);
        const DiscardUnpacked batch(writer);
        check(git_commit_create(&target, repository, nullptr, author, author, nullptr,
                                message.constData(), tree.get(), parentPointers.size(),
                                parentPointers.data()),
              doing);
        writer.noteWritten(target);
        writer.writePack(doing + QStringLiteral(": writing the join's pack"));
    }
    git_oid expected{}; // all zero: shared must not exist yet
    if (!shared.isEmpty()) {
        expected = parseObjectId(shared, doing);
    }
    if (!git_oid_equal(&target, &expected)) {
        Reference moved;
        const int error =
            git_reference_create_matching(out(moved), repository, SharedBranch, &target,
                                          /*force=*/1, &expected, "join pulled versions");
        if (error == GIT_EMODIFIED) {
            throw StorageError(
                doing + QStringLiteral(": refs/heads/shared moved meanwhile (another pull or push "
                                       "at the same time); nothing was lost, try again"));
        }
        check(error, doing + QStringLiteral(": moving refs/heads/shared"));
    }
    return toString(target);
}

} // namespace digitdesk::storage::git
