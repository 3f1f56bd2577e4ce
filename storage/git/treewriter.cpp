#include "storage/git/treewriter.h"

#include "storage/git/error.h"
#include "storage/storageerror.h"

#include <algorithm>
#include <map>
#include <optional>

namespace digitdesk::storage::git {
namespace {

// The changes under one folder: files by name (no id: removed) and the folders below.
struct FolderChanges
{
    std::map<QByteArray, std::optional<git_oid>> files;
    std::map<QByteArray, FolderChanges> folders;
};

class TreeWriter
{
public:
    TreeWriter(git_repository *repository, PackedObjectWriter &writer, const QString &subject)
        : m_repository(repository), m_writer(writer), m_subject(subject)
    {}

    void add(const TreeChange &change)
    {
        const QByteArray path = change.path.toUtf8();
        const QList<QByteArray> names = path.split('/');
        if (std::any_of(names.cbegin(), names.cend(),
                        [](const QByteArray &n) { return n.isEmpty(); })) {
            fail(QStringLiteral("\"%1\" is not a file path").arg(change.path));
        }
        FolderChanges *folder = &m_root;
        for (qsizetype i = 0; i + 1 < names.size(); ++i) {
            if (folder->files.count(names[i]) && folder->files[names[i]]) {
                fail(QStringLiteral("%1 is both a file and a folder").arg(change.path));
            }
            folder = &folder->folders[names[i]];
        }
        const QByteArray &name = names.constLast();
        if (change.content && folder->folders.count(name)) {
            fail(QStringLiteral("%1 is both a file and a folder").arg(change.path));
        }
        folder->files[name] = change.content
                                  ? std::optional(m_writer.writeBlob(*change.content, change.path))
                                  : std::nullopt;
    }

    git_oid write(const git_tree *base) { return *writeFolder(m_root, base, {}); }

private:
    [[noreturn]] void fail(const QString &reason) const
    {
        throw StorageError(QStringLiteral("writing tree for \"%1\": %2").arg(m_subject, reason));
    }

    QString doing(const QByteArray &folderPath) const
    {
        return QStringLiteral("writing tree %1 for \"%2\"")
            .arg(folderPath.isEmpty() ? QStringLiteral("/") : QString::fromUtf8(folderPath),
                 m_subject);
    }

    // The folder's new tree id; none when it ends up empty (the root is written anyway).
    std::optional<git_oid> writeFolder(const FolderChanges &changes, const git_tree *base,
                                       const QByteArray &folderPath)
    {
        TreeBuilder builder;
        check(git_treebuilder_new(out(builder), m_repository, base), doing(folderPath));
        for (const auto &[name, blob] : changes.files) {
            const git_tree_entry *existing = git_treebuilder_get(builder.get(), name.constData());
            if (existing && git_tree_entry_type(existing) == GIT_OBJECT_TREE) {
                fail(QStringLiteral("%1 is a folder").arg(QString::fromUtf8(folderPath + name)));
            }
            if (blob) {
                check(git_treebuilder_insert(nullptr, builder.get(), name.constData(), &*blob,
                                             GIT_FILEMODE_BLOB),
                      [&] {
                          return doing(folderPath) + QStringLiteral(": adding ") +
                                 QString::fromUtf8(name);
                      });
            } else if (existing) {
                check(git_treebuilder_remove(builder.get(), name.constData()), [&] {
                    return doing(folderPath) + QStringLiteral(": removing ") +
                           QString::fromUtf8(name);
                });
            }
        }
        for (const auto &[name, folder] : changes.folders) {
            const QByteArray path = folderPath + name + '/';
            const git_tree_entry *existing = git_treebuilder_get(builder.get(), name.constData());
            Tree subtree;
            if (existing) {
                if (git_tree_entry_type(existing) != GIT_OBJECT_TREE) {
                    fail(QStringLiteral("%1 is a file").arg(QString::fromUtf8(folderPath + name)));
                }
                check(git_tree_lookup(out(subtree), m_repository, git_tree_entry_id(existing)),
                      doing(path));
            }
            const std::optional<git_oid> id = writeFolder(folder, subtree.get(), path);
            if (id) {
                check(git_treebuilder_insert(nullptr, builder.get(), name.constData(), &*id,
                                             GIT_FILEMODE_TREE),
                      doing(folderPath));
            } else if (subtree) {
                check(git_treebuilder_remove(builder.get(), name.constData()), doing(folderPath));
            }
        }
        if (!folderPath.isEmpty() && git_treebuilder_entrycount(builder.get()) == 0) {
            return std::nullopt;
        }
        git_oid id;
        check(git_treebuilder_write(&id, builder.get()), doing(folderPath));
        m_writer.noteWritten(id);
        return id;
    }

    git_repository *m_repository;
    PackedObjectWriter &m_writer;
    QString m_subject;
    FolderChanges m_root;
};

} // namespace

git_oid writeChangedTree(git_repository *repository, PackedObjectWriter &writer,
                         const git_tree *base, const std::vector<TreeChange> &changes,
                         const QString &subject)
{
    TreeWriter treeWriter(repository, writer, subject);
    for (const TreeChange &change : changes) {
        treeWriter.add(change);
    }
    return treeWriter.write(base);
}

} // namespace digitdesk::storage::git
