#include "storage/git/objectcheck.h"

#include "storage/git/error.h"
#include "storage/git/handles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <vector>

namespace digitdesk::storage::git {
namespace {

class ReachableObjectChecker
{
public:
    explicit ReachableObjectChecker(const QString &repositoryPath)
    {
        check(git_repository_open_ext(out(m_repository),
                                      QFile::encodeName(repositoryPath).constData(),
                                      GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
              QStringLiteral("opening %1 to check its objects").arg(repositoryPath));
        check(git_repository_odb(out(m_odb), m_repository.get()),
              QStringLiteral("opening the object database of %1").arg(repositoryPath));
    }

    QStringList checkHistory(const git_oid &start)
    {
        std::vector<git_oid> pending{start};
        while (!pending.empty()) {
            const git_oid id = pending.back();
            pending.pop_back();
            if (!firstVisit(id)) {
                continue;
            }
            Commit commit;
            if (git_commit_lookup(out(commit), m_repository.get(), &id) < 0) {
                report("commit", id, {});
                continue;
            }
            checkTree(*git_commit_tree_id(commit.get()), {});
            for (unsigned int i = 0; i < git_commit_parentcount(commit.get()); ++i) {
                pending.push_back(*git_commit_parent_id(commit.get(), i));
            }
        }
        return m_problems;
    }

private:
    bool firstVisit(const git_oid &id)
    {
        const QByteArray key(reinterpret_cast<const char *>(id.id), GIT_OID_RAWSZ);
        if (m_visited.contains(key)) {
            return false;
        }
        m_visited.insert(key);
        return true;
    }

    void report(const char *kind, const git_oid &id, const QString &path)
    {
        const QString reason = lastErrorMessage(GIT_ERROR);
        m_problems << QStringLiteral("%1 %2%3: %4")
                          .arg(QLatin1String(kind), toString(id),
                               path.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(path),
                               reason);
    }

    void checkTree(const git_oid &id, const QString &path)
    {
        if (!firstVisit(id)) {
            return;
        }
        Tree tree;
        if (git_tree_lookup(out(tree), m_repository.get(), &id) < 0) {
            report("tree", id, path.isEmpty() ? QStringLiteral("/") : path);
            return;
        }
        for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
            const git_tree_entry *entry = git_tree_entry_byindex(tree.get(), i);
            const QString entryPath = path + QString::fromUtf8(git_tree_entry_name(entry));
            switch (git_tree_entry_type(entry)) {
            case GIT_OBJECT_TREE:
                checkTree(*git_tree_entry_id(entry), entryPath + QLatin1Char('/'));
                break;
            case GIT_OBJECT_BLOB:
                checkBlob(*git_tree_entry_id(entry), entryPath);
                break;
            default: // a submodule's commit lives in another repository
                break;
            }
        }
    }

    void checkBlob(const git_oid &id, const QString &path)
    {
        if (!firstVisit(id)) {
            return;
        }
        OdbObject object;
        if (git_odb_read(out(object), m_odb.get(), &id) < 0) {
            report("blob", id, path);
        } else if (git_odb_object_type(object.get()) != GIT_OBJECT_BLOB) {
            m_problems << QStringLiteral("blob %1 (%2): the object is a %3")
                              .arg(toString(id), path,
                                   QLatin1String(
                                       git_object_type2string(git_odb_object_type(object.get()))));
        }
    }

    Repository m_repository;
    Odb m_odb;
    QSet<QByteArray> m_visited;
    QStringList m_problems;
};

bool isHexName(const QString &name, qsizetype length)
{
    return name.size() == length && isObjectId(name + QString(GIT_OID_HEXSZ - length, u'0'));
}

} // namespace

QStringList checkReachableObjects(const QString &repositoryPath, const git_oid &commit)
{
    return ReachableObjectChecker(repositoryPath).checkHistory(commit);
}

ObjectFiles countObjectFiles(const QString &repositoryPath)
{
    ObjectFiles counts;
    const QDir objects(repositoryPath + QStringLiteral("/objects"));
    for (const QString &folder : objects.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!isHexName(folder, 2)) {
            continue;
        }
        for (const QString &file : QDir(objects.filePath(folder)).entryList(QDir::Files)) {
            counts.looseObjects += isHexName(file, GIT_OID_HEXSZ - 2) ? 1 : 0;
        }
    }
    const QDir packs(objects.filePath(QStringLiteral("pack")));
    for (const QFileInfo &pack : packs.entryInfoList({QStringLiteral("*.pack")}, QDir::Files)) {
        const QFileInfo index(packs.filePath(pack.completeBaseName() + QStringLiteral(".idx")));
        if (index.exists()) {
            ++counts.packs;
            counts.packBytes += pack.size() + index.size();
        }
    }
    return counts;
}

} // namespace digitdesk::storage::git
