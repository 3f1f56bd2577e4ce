#pragma once

#include "storage/git/handles.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QString>

namespace digitdesk::storage::git {

// Streams whole objects into the object database's pack writer as one version 2 packfile,
// without deltas: libgit2's indexer checks every object, writes the .pack and its .idx. Objects
// under 4 KiB (the images) are stored, larger ones (trees, labels.csv) deflated.
//
// git_packbuilder is not used because its delta search costs seconds for tens of thousands of
// PNGs and finds nothing (they are compressed; a changed folder's tree has no base within the
// pack to be a delta of).
class PackStream final
{
public:
    PackStream(git_odb *odb, quint32 objectCount, const QString &doing);
    PackStream(const PackStream &) = delete;
    PackStream &operator=(const PackStream &) = delete;

    void add(git_object_t type, const char *data, size_t size);
    // Appends the checksum and has the indexer write the pack and its index.
    void finish();

private:
    // A zlib stream of stored (uncompressed) blocks.
    void appendStored(const char *data, size_t size);
    void append(const char *data, qsizetype size);
    void flush();

    OdbWritepack m_writepack;
    QString m_doing;
    QCryptographicHash m_checksum{QCryptographicHash::Sha1};
    QByteArray m_buffer;
    git_indexer_progress m_progress{};
};

} // namespace digitdesk::storage::git
