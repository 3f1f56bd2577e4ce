#pragma once

#include "annotation/importer.h"
#include "annotation/private/itemstreams.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <deque>
#include <memory>
#include <vector>

namespace digitdesk::annotation {

// Expands the paths given to an import into a stream of items, batch by batch, so a folder of
// 100,000 scans or an IDX file of a million images never sits in memory at once. Folders are
// walked through symbolic links, each folder once; loops and broken links are reported, pipes
// and devices skipped. Files that fail
// as a whole (a wrong IDX magic, a count mismatch, a truncated file) are reported in problems();
// single bad images come out as items with an error. A batch may come out empty when the files
// it reached all failed.
class ImportSource final
{
public:
    ImportSource(const QStringList &paths, const QString &sourceName);

    qint64 estimatedTotal() const { return m_estimatedTotal; }
    qint64 skippedFiles() const { return m_skipped; }
    bool atEnd() const { return !m_open && m_entries.empty(); }
    // At most `maxItems` items and, past the first, no more than `maxBytes` of file contents,
    // pixels and the decoded pixels of scans.
    std::vector<ImportItem> nextBatch(int maxItems, qint64 maxBytes);
    const std::vector<ImportProblem> &problems() const { return m_problems; }

private:
    enum class Kind
    {
        Image,
        Idx,
        IdxLabels,
        Csv
    };
    struct Entry
    {
        QString path;
        QString source;
        Kind kind;
    };

    void addPath(const QString &path, const QString &sourceName);
    void addFolder(const QString &root, const QString &source);
    void addFile(const QString &path, const QString &source, bool explicitlyNamed);
    void open(const Entry &entry);
    void readOpen(std::vector<ImportItem> *batch, int maxItems, qint64 maxBytes);
    ImportItem readImageFile(const Entry &entry) const;

    std::deque<Entry> m_entries;
    std::unique_ptr<ItemStream> m_open; // the IDX or CSV file being read
    QString m_openPath;
    int m_openBadItems = 0;
    std::vector<ImportProblem> m_problems;
    qint64 m_estimatedTotal = 0;
    qint64 m_skipped = 0;
};

} // namespace digitdesk::annotation
