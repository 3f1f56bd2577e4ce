#include "annotation/private/itemstreams.h"

#include "annotation/idxfile.h"
#include "annotation/imagenormalizer.h"
#include "annotation/importer.h"

#include <QFileInfo>

namespace digitdesk::annotation {
namespace {

QString tooManyRows(const QString &path)
{
    return QStringLiteral("%1: more than %2 rows, the most one CSV file may hold; split it")
        .arg(path)
        .arg(Importer::MaxCsvRows);
}

bool isRow(const QByteArray &line)
{
    return !line.trimmed().isEmpty();
}

// The first line may name the columns instead of holding a row.
bool isHeader(const QByteArray &line, qint64 lineNumber)
{
    const qsizetype comma = line.indexOf(',');
    bool firstIsNumber = false;
    (comma < 0 ? line : line.left(comma)).trimmed().toInt(&firstIsNumber);
    return lineNumber == 1 && !firstIsNumber;
}

} // namespace

IdxItems::IdxItems(const QString &path, const QString &source)
    : m_baseName(QFileInfo(path).fileName()), m_source(source)
{
    IdxReader::verify(path);
    m_images = std::make_unique<IdxReader>(path);
    if (m_images->dimensions().size() != 3) {
        throw ImportError(QStringLiteral("%1: an IDX images file has 3 dimensions (count, rows, "
                                         "columns), this one has %2")
                              .arg(path)
                              .arg(m_images->dimensions().size()));
    }
    if (m_images->itemSize() > ImageNormalizer::MaxPixels) {
        throw ImportError(QStringLiteral("%1: images of %2 x %3 pixels, more than the %4 pixels "
                                         "an image may have")
                              .arg(path)
                              .arg(m_images->dimensions()[1])
                              .arg(m_images->dimensions()[2])
                              .arg(ImageNormalizer::MaxPixels));
    }
    const QString labelsPath = idxLabelsPathFor(path);
    if (labelsPath.isEmpty() || !QFileInfo::exists(labelsPath)) {
        return;
    }
    IdxReader::verify(labelsPath);
    m_labels = std::make_unique<IdxReader>(labelsPath);
    if (m_labels->dimensions().size() != 1) {
        throw ImportError(QStringLiteral("%1: an IDX labels file has 1 dimension, this one has %2")
                              .arg(labelsPath)
                              .arg(m_labels->dimensions().size()));
    }
    if (m_labels->itemCount() != m_images->itemCount()) {
        throw ImportError(QStringLiteral("%1: count mismatch: %2 images but %3 labels in %4")
                              .arg(path)
                              .arg(m_images->itemCount())
                              .arg(m_labels->itemCount())
                              .arg(labelsPath));
    }
}

std::vector<ImportItem> IdxItems::next(int maxItems, qint64 maxBytes)
{
    const qint64 size = m_images->itemSize();
    const qint64 count = std::clamp<qint64>(maxBytes / size, 1, maxItems);
    const qint64 first = m_images->itemsRead();
    const QByteArray pixels = m_images->readItems(count);
    const qint64 read = pixels.size() / size;
    const QByteArray labels = m_labels ? m_labels->readItems(read) : QByteArray();
    std::vector<ImportItem> items;
    items.reserve(static_cast<size_t>(read));
    for (qint64 i = 0; i < read; ++i) {
        ImportItem item;
        item.name = QStringLiteral("%1#%2").arg(m_baseName).arg(first + i);
        item.source = m_source;
        item.bytes = pixels.mid(i * size, size);
        item.width = m_images->dimensions()[2];
        item.height = m_images->dimensions()[1];
        if (m_labels) {
            const int label = static_cast<unsigned char>(labels[i]);
            if (label > 9) {
                item.error = QStringLiteral("label %1 is not a digit 0-9").arg(label);
            } else {
                item.label = storage::Label::fromDigit(label);
            }
        }
        items.push_back(std::move(item));
    }
    return items;
}

CsvItems::CsvItems(const QString &path, const QString &source)
    : m_input(path), m_baseName(QFileInfo(path).fileName()), m_source(source)
{}

std::vector<ImportItem> CsvItems::next(int maxItems, qint64 maxBytes)
{
    std::vector<ImportItem> items;
    qint64 bytes = 0;
    QByteArray line;
    while (static_cast<int>(items.size()) < maxItems && (items.empty() || bytes < maxBytes) &&
           m_input.readLine(&line, Importer::MaxCsvLineBytes)) {
        ++m_lineNumber;
        if (!isRow(line) || isHeader(line, m_lineNumber)) {
            continue;
        }
        if (++m_rows > Importer::MaxCsvRows) {
            throw ImportError(tooManyRows(m_input.path()));
        }
        items.push_back(parseRow(line));
        bytes += items.back().bytes.size();
    }
    return items;
}

ImportItem CsvItems::parseRow(const QByteArray &line) const
{
    const QList<QByteArray> fields = line.trimmed().split(',');
    ImportItem item;
    item.name = QStringLiteral("%1:%2").arg(m_baseName).arg(m_lineNumber);
    item.source = m_source;
    item.width = NormalizedImage::Side;
    item.height = NormalizedImage::Side;
    const int pixelCount = NormalizedImage::PixelCount;
    if (fields.size() != pixelCount + 1 && fields.size() != pixelCount) {
        item.error = QStringLiteral("%1 columns; expected a label and %2 pixels (%3) or %2 "
                                    "pixels")
                         .arg(fields.size())
                         .arg(pixelCount)
                         .arg(pixelCount + 1);
        return item;
    }
    const qsizetype first = fields.size() - pixelCount;
    if (first == 1) {
        bool ok = false;
        const int label = fields[0].trimmed().toInt(&ok);
        if (!ok || label < 0 || label > 9) {
            item.error =
                QStringLiteral("label '%1' is not a digit 0-9").arg(QString::fromUtf8(fields[0]));
        } else {
            item.label = storage::Label::fromDigit(label);
        }
    }
    item.bytes.resize(pixelCount);
    for (int p = 0; p < pixelCount && item.error.isEmpty(); ++p) {
        bool ok = false;
        const int value = fields[first + p].trimmed().toInt(&ok);
        if (!ok || value < 0 || value > 255) {
            item.error = QStringLiteral("pixel %1 is '%2', not an integer 0-255")
                             .arg(p)
                             .arg(QString::fromUtf8(fields[first + p]));
        }
        item.bytes[p] = static_cast<char>(value);
    }
    return item;
}

qint64 countCsvRows(const QString &path)
{
    BoundedInput input(path);
    QByteArray line;
    qint64 lineNumber = 0;
    qint64 rows = 0;
    while (input.readLine(&line, Importer::MaxCsvLineBytes)) {
        ++lineNumber;
        if (isRow(line) && !isHeader(line, lineNumber) && ++rows > Importer::MaxCsvRows) {
            throw ImportError(tooManyRows(path));
        }
    }
    return rows;
}

} // namespace digitdesk::annotation
