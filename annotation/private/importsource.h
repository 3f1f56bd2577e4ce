#pragma once

#include "annotation/importer.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <deque>
#include <vector>

namespace digitdesk::annotation {

// One image on its way in: the encoded file (a scan) or raw 8-bit gray pixels (IDX, CSV).
struct ImportItem
{
    QString name;
    QString source;
    bool encoded = false;
    QByteArray bytes;
    int width = 0;
    int height = 0;
    int label = -1;
    QString error; // set when the item failed before decoding (unreadable file, bad CSV row)
};

// Expands the paths given to an import into a stream of items, batch by batch, so a folder of
// 100,000 scans never sits in memory at once. Files that fail as a whole (a wrong IDX magic, a
// count mismatch) are reported in problems(); single bad images come out as items with an error.
class ImportSource final
{
public:
    ImportSource(const QStringList &paths, const QString &sourceName);

    qint64 estimatedTotal() const { return m_estimatedTotal; }
    qint64 skippedFiles() const { return m_skipped; }
    bool atEnd();
    std::vector<ImportItem> nextBatch(int maxItems);
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
    void addFile(const QString &path, const QString &source, bool explicitlyNamed);
    bool openNextContainer();
    ImportItem readImageFile(const Entry &entry) const;
    void openIdx(const Entry &entry);
    void openCsv(const Entry &entry);

    std::deque<Entry> m_entries;
    std::deque<ImportItem> m_pending; // items of the IDX or CSV file being read
    QStringList m_idxInputs;
    std::vector<ImportProblem> m_problems;
    qint64 m_estimatedTotal = 0;
    qint64 m_skipped = 0;
};

} // namespace digitdesk::annotation
