#pragma once

#include "annotation/private/boundedinput.h"
#include "annotation/private/idxreader.h"
#include "storage/label.h"

#include <QByteArray>
#include <QString>

#include <memory>
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
    storage::MaybeLabel label;
    QString error; // set when the item failed before decoding (unreadable file, bad CSV row)
};

// The items of one IDX pair or CSV file, read a few at a time so that a file of any size costs
// one batch of memory.
class ItemStream
{
public:
    virtual ~ItemStream() = default;
    // Up to `maxItems` more items, and no more bytes of pixels than `maxBytes` (but at least
    // one item); none when the file is done. Throws ImportError when the file turns out bad
    // part way.
    virtual std::vector<ImportItem> next(int maxItems, qint64 maxBytes) = 0;
};

// An IDX images file with its labels file when one lies beside it. Both are checked against
// their headers (a .gz by inflating it once, within its limit) before the first item.
class IdxItems final : public ItemStream
{
public:
    IdxItems(const QString &path, const QString &source);
    std::vector<ImportItem> next(int maxItems, qint64 maxBytes) override;

private:
    QString m_baseName;
    QString m_source;
    std::unique_ptr<IdxReader> m_images;
    std::unique_ptr<IdxReader> m_labels;
};

// A CSV file of a label and 784 pixels (or 784 pixels) per row, read line by line.
class CsvItems final : public ItemStream
{
public:
    CsvItems(const QString &path, const QString &source);
    std::vector<ImportItem> next(int maxItems, qint64 maxBytes) override;

private:
    ImportItem parseRow(const QByteArray &line) const;

    BoundedInput m_input;
    QString m_baseName;
    QString m_source;
    qint64 m_lineNumber = 0;
    qint64 m_rows = 0;
};

// The rows of a CSV file, read through once before any is imported: a line longer than
// Importer::MaxCsvLineBytes, more rows than Importer::MaxCsvRows or a .gz that inflates past its
// limit throw ImportError.
qint64 countCsvRows(const QString &path);

} // namespace digitdesk::annotation
