#pragma once

#include "storage/git/handles.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace digitdesk::storage::git {

// Writes new objects into an in-memory object database (a mempack backend added to the
// repository's odb ahead of the disk backends, so every object libgit2 writes for this
// repository lands there) and then puts exactly those objects on disk as one packfile.
//
// git_mempack_dump is not used: in libgit2 1.5 it packs each commit with its whole tree, so
// every version would repack every image. The objects written since the last pack are noted
// here instead and streamed (PackStream) into the odb's pack writer, an indexer that writes
// objects/pack/pack-<id>.pack and .idx.
class PackedObjectWriter final
{
public:
    explicit PackedObjectWriter(git_repository *repository);
    PackedObjectWriter(const PackedObjectWriter &) = delete;
    PackedObjectWriter &operator=(const PackedObjectWriter &) = delete;

    // Starts a batch: forgets anything left in memory and rescans the packs on disk, so the
    // existence checks below need not rescan for every object.
    void begin();
    // The blob's id; it is written (to memory) only when the repository does not have it yet.
    git_oid writeBlob(const QByteArray &content, const QString &path);
    // An object libgit2 wrote for us (tree, commit, tag): packed if it was new.
    void noteWritten(const git_oid &id);
    // Writes the new objects as one packfile (none when nothing is new) and empties the memory.
    void writePack(const QString &doing);
    // Drops whatever was written to memory since `begin`.
    void discard() noexcept;

private:
    Odb m_odb;
    git_odb_backend *m_mempack = nullptr; // owned by m_odb once added
    std::vector<git_oid> m_written;
};

// Discards a batch's objects unless it was packed (on an exception on the way).
class DiscardUnpacked final
{
public:
    explicit DiscardUnpacked(PackedObjectWriter &writer) : m_writer(writer) { m_writer.begin(); }
    ~DiscardUnpacked() { m_writer.discard(); }
    DiscardUnpacked(const DiscardUnpacked &) = delete;
    DiscardUnpacked &operator=(const DiscardUnpacked &) = delete;

private:
    PackedObjectWriter &m_writer;
};

} // namespace digitdesk::storage::git
