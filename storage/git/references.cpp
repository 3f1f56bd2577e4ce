#include "storage/git/references.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"

#include <algorithm>
#include <climits>
#include <tuple>

namespace digitdesk::storage::git {
namespace {

const QString TagsPrefix = QStringLiteral("refs/tags/");

auto tagOrder(const QString &name)
{
    const qsizetype slash = name.lastIndexOf(QLatin1Char('/'));
    const QString remote = name.left(slash + 1);
    const QString tag = name.mid(slash + 1);
    bool isNumber = false;
    const int number = tag.startsWith(QLatin1Char('v')) ? tag.mid(1).toInt(&isNumber) : 0;
    return std::tuple(remote, isNumber ? number : INT_MAX, tag);
}

// The commit the reference leads to; empty when there is no such reference, or when
// `allowOthers` and it leads to a tree or blob.
QString peeledCommit(git_repository *repository, const QString &referenceName, bool allowOthers)
{
    const QString doing = QStringLiteral("reading %1").arg(referenceName);
    Reference reference;
    const int error =
        git_reference_lookup(out(reference), repository, referenceName.toUtf8().constData());
    if (error == GIT_ENOTFOUND) {
        return {};
    }
    check(error, doing);
    Object commit;
    const int peelError = git_reference_peel(out(commit), reference.get(), GIT_OBJECT_COMMIT);
    if (allowOthers && (peelError == GIT_EINVALIDSPEC || peelError == GIT_EPEEL)) {
        return {};
    }
    check(peelError, doing);
    return toString(*git_object_id(commit.get()));
}

} // namespace

QString commitOfReference(git_repository *repository, const QString &referenceName)
{
    return peeledCommit(repository, referenceName, /*allowOthers=*/false);
}

std::vector<GitTag> readTags(git_repository *repository)
{
    const QString doing = QStringLiteral("listing tags");
    ReferenceIterator references;
    check(git_reference_iterator_new(out(references), repository), doing);
    QStringList names;
    const char *name = nullptr;
    int error = 0;
    while ((error = git_reference_next_name(&name, references.get())) == 0) {
        const QString referenceName = QString::fromUtf8(name);
        if (referenceName.startsWith(TagsPrefix)) {
            names << referenceName.mid(TagsPrefix.size());
        }
    }
    if (error != GIT_ITEROVER) {
        check(error, doing);
    }
    std::vector<GitTag> tags;
    for (const QString &tag : std::as_const(names)) {
        // Empty: deleted since it was listed, or a tag of something other than a commit.
        QString commit = peeledCommit(repository, TagsPrefix + tag, /*allowOthers=*/true);
        if (!commit.isEmpty()) {
            tags.push_back({tag, std::move(commit)});
        }
    }
    std::sort(tags.begin(), tags.end(),
              [](const GitTag &a, const GitTag &b) { return tagNameLess(a.name, b.name); });
    return tags;
}

bool tagNameLess(const QString &a, const QString &b)
{
    return tagOrder(a) < tagOrder(b);
}

bool isVersionTagName(const QString &name)
{
    return name.startsWith(QLatin1Char('v')) && !name.contains(QLatin1Char('/'));
}

} // namespace digitdesk::storage::git
