#include "storage/git/packedobjectwriter.h"

#include "storage/git/error.h"
#include "storage/git/packstream.h"

#include <QSet>

#include <git2/sys/mempack.h>

namespace digitdesk::storage::git {
namespace {

// Above the loose (1) and pack (2) backends: reads and writes try memory first.
constexpr int MempackPriority = 1000;

} // namespace

PackedObjectWriter::PackedObjectWriter(git_repository *repository)
{
    check(git_repository_odb(out(m_odb), repository),
          QStringLiteral("opening the object database"));
    OdbBackend mempack;
    check(git_mempack_new(out(mempack)), QStringLiteral("creating the in-memory object database"));
    check(git_odb_add_backend(m_odb.get(), mempack.get(), MempackPriority),
          QStringLiteral("adding the in-memory object database"));
    m_mempack = mempack.release();
}

void PackedObjectWriter::begin()
{
    discard();
    check(git_odb_refresh(m_odb.get()), QStringLiteral("rescanning the packfiles"));
}

git_oid PackedObjectWriter::writeBlob(const QByteArray &content, const QString &path)
{
    const auto size = static_cast<size_t>(content.size());
    git_oid id;
    check(git_odb_hash(&id, content.constData(), size, GIT_OBJECT_BLOB),
          [&] { return QStringLiteral("hashing %1").arg(path); });
    if (git_odb_exists_ext(m_odb.get(), &id, GIT_ODB_LOOKUP_NO_REFRESH)) {
        return id;
    }
    // Straight into memory: git_odb_write would rescan the pack folder for every new blob.
    check(m_mempack->write(m_mempack, &id, content.constData(), size, GIT_OBJECT_BLOB),
          [&] { return QStringLiteral("writing %1").arg(path); });
    m_written.push_back(id);
    return id;
}

void PackedObjectWriter::noteWritten(const git_oid &id)
{
    m_written.push_back(id);
}

void PackedObjectWriter::writePack(const QString &doing)
{
    std::vector<git_oid> newObjects;
    QSet<QByteArray> seen;
    for (const git_oid &id : m_written) {
        const QByteArray key(reinterpret_cast<const char *>(id.id), GIT_OID_RAWSZ);
        if (!seen.contains(key) && m_mempack->exists(m_mempack, &id)) { // else on disk already
            seen.insert(key);
            newObjects.push_back(id);
        }
    }
    if (!newObjects.empty()) {
        PackStream pack(m_odb.get(), static_cast<quint32>(newObjects.size()), doing);
        for (const git_oid &id : newObjects) {
            OdbObject object;
            check(git_odb_read(out(object), m_odb.get(), &id), doing);
            pack.add(git_odb_object_type(object.get()),
                     static_cast<const char *>(git_odb_object_data(object.get())),
                     git_odb_object_size(object.get()));
        }
        pack.finish();
    }
    discard();
}

void PackedObjectWriter::discard() noexcept
{
    m_written.clear();
    // Only frees memory: it cannot fail.
    static_cast<void>(git_mempack_reset(m_mempack));
}

} // namespace digitdesk::storage::git
