#include "annotation/private/importsource.h"

#include "annotation/idxfile.h"
#include "annotation/imagenormalizer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace digitdesk::annotation {
namespace {

bool isImageSuffix(const QString &suffix)
{
    static const QStringList suffixes = {QStringLiteral("png"),  QStringLiteral("jpg"),
                                         QStringLiteral("jpeg"), QStringLiteral("bmp"),
                                         QStringLiteral("tif"),  QStringLiteral("tiff")};
    return suffixes.contains(suffix.toLower());
}

bool isIdxLabelsName(const QString &fileName)
{
    return fileName.contains(QStringLiteral("labels")) && fileName.contains(QStringLiteral("idx1"));
}

// ImageFolder layout: a scan in a folder named 0-9 carries that label.
int labelFromFolder(const QString &path)
{
    const QString folder = QFileInfo(path).dir().dirName();
    if (folder.size() == 1 && folder[0].isDigit()) {
        return folder[0].digitValue();
    }
    return -1;
}

qint64 countLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return 0;
    }
    qint64 lines = 0;
    while (!file.atEnd()) {
        lines += file.read(1 << 20).count('\n');
    }
    return lines;
}

} // namespace

ImportSource::ImportSource(const QStringList &paths, const QString &sourceName)
{
    for (const QString &path : paths) {
        addPath(path, sourceName);
    }
    // A labels file is read with its images file; one given alone cannot be imported.
    std::deque<Entry> kept;
    for (const Entry &entry : m_entries) {
        if (entry.kind != Kind::IdxLabels) {
            kept.push_back(entry);
            continue;
        }
        const bool paired =
            std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry &other) {
                return other.kind == Kind::Idx &&
                       QFileInfo(idxLabelsPathFor(other.path)) == QFileInfo(entry.path);
            });
        if (!paired) {
            m_problems.push_back(
                {entry.path, QStringLiteral("an IDX labels file without its images "
                                            "file; give the images file too")});
        }
    }
    m_entries = kept;
}

void ImportSource::addPath(const QString &path, const QString &sourceName)
{
    const QFileInfo info(path);
    const QString source = sourceName.isEmpty() ? info.fileName() : sourceName;
    if (!info.exists()) {
        m_problems.push_back({path, QStringLiteral("no such file or folder")});
        return;
    }
    if (!info.isDir()) {
        addFile(info.absoluteFilePath(), source, true);
        return;
    }
    QStringList files;
    QDirIterator it(info.absoluteFilePath(), QDir::Files | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        files << it.next();
    }
    std::sort(files.begin(), files.end());
    for (const QString &file : files) {
        addFile(file, source, false);
    }
}

void ImportSource::addFile(const QString &path, const QString &source, bool explicitlyNamed)
{
    const QFileInfo info(path);
    const QString name = info.fileName();
    const QString suffix =
        name.endsWith(QStringLiteral(".gz")) ? QFileInfo(name.chopped(3)).suffix() : info.suffix();
    // A file named on purpose is tried as an image whatever its name; its header decides.
    if (isImageSuffix(suffix) ||
        (explicitlyNamed && !looksLikeIdxName(name) && suffix.toLower() != QStringLiteral("csv"))) {
        m_entries.push_back({path, source, Kind::Image});
        ++m_estimatedTotal;
    } else if (suffix.toLower() == QStringLiteral("csv")) {
        m_entries.push_back({path, source, Kind::Csv});
        m_estimatedTotal += countLines(path);
    } else if (looksLikeIdxName(name)) {
        if (isIdxLabelsName(name)) {
            m_entries.push_back({path, source, Kind::IdxLabels});
            return;
        }
        m_entries.push_back({path, source, Kind::Idx});
        try {
            const std::vector<int> dimensions = readIdxDimensions(path);
            m_estimatedTotal += dimensions.empty() ? 0 : dimensions.front();
        } catch (const ImportError &) {
            // Reported when the file is opened.
        }
    } else {
        ++m_skipped;
    }
}

bool ImportSource::atEnd()
{
    return m_pending.empty() && m_entries.empty();
}

std::vector<ImportItem> ImportSource::nextBatch(int maxItems)
{
    std::vector<ImportItem> batch;
    while (static_cast<int>(batch.size()) < maxItems) {
        if (!m_pending.empty()) {
            batch.push_back(std::move(m_pending.front()));
            m_pending.pop_front();
            continue;
        }
        if (m_entries.empty()) {
            break;
        }
        const Entry entry = m_entries.front();
        if (entry.kind == Kind::Image) {
            m_entries.pop_front();
            batch.push_back(readImageFile(entry));
            continue;
        }
        openNextContainer();
    }
    return batch;
}

bool ImportSource::openNextContainer()
{
    const Entry entry = m_entries.front();
    m_entries.pop_front();
    try {
        if (entry.kind == Kind::Idx) {
            openIdx(entry);
        } else {
            openCsv(entry);
        }
    } catch (const ImportError &error) {
        m_problems.push_back({entry.path, QString::fromUtf8(error.what())});
        return false;
    }
    return true;
}

ImportItem ImportSource::readImageFile(const Entry &entry) const
{
    ImportItem item;
    item.name = entry.path;
    item.source = entry.source;
    item.encoded = true;
    item.label = labelFromFolder(entry.path);
    QFile file(entry.path);
    if (file.size() > Importer::MaxFileBytes) {
        item.error = QStringLiteral("too large: %1 MB (the limit is %2 MB)")
                         .arg(file.size() / (1024LL * 1024))
                         .arg(Importer::MaxFileBytes / (1024LL * 1024));
        return item;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        item.error = QStringLiteral("cannot open: %1").arg(file.errorString());
        return item;
    }
    item.bytes = file.readAll();
    return item;
}

void ImportSource::openIdx(const Entry &entry)
{
    const IdxArray images = readIdxFile(entry.path);
    if (images.dimensions.size() != 3) {
        throw ImportError(QStringLiteral("%1: an IDX images file has 3 dimensions (count, rows, "
                                         "columns), this one has %2")
                              .arg(entry.path)
                              .arg(images.dimensions.size()));
    }
    QByteArray labels;
    const QString labelsPath = idxLabelsPathFor(entry.path);
    if (!labelsPath.isEmpty() && QFileInfo::exists(labelsPath)) {
        const IdxArray labelArray = readIdxFile(labelsPath);
        if (labelArray.dimensions.size() != 1) {
            throw ImportError(QStringLiteral("%1: an IDX labels file has 1 dimension, this one has "
                                             "%2")
                                  .arg(labelsPath)
                                  .arg(labelArray.dimensions.size()));
        }
        if (labelArray.itemCount() != images.itemCount()) {
            throw ImportError(QStringLiteral("%1: count mismatch: %2 images but %3 labels in %4")
                                  .arg(entry.path)
                                  .arg(images.itemCount())
                                  .arg(labelArray.itemCount())
                                  .arg(labelsPath));
        }
        labels = labelArray.data;
    }
    const int rows = images.dimensions[1];
    const int columns = images.dimensions[2];
    const qint64 size = images.itemSize();
    const QString baseName = QFileInfo(entry.path).fileName();
    for (qint64 i = 0; i < images.itemCount(); ++i) {
        ImportItem item;
        item.name = QStringLiteral("%1#%2").arg(baseName).arg(i);
        item.source = entry.source;
        item.bytes = images.data.mid(i * size, size);
        item.width = columns;
        item.height = rows;
        if (!labels.isEmpty()) {
            const int label = static_cast<unsigned char>(labels[i]);
            if (label > 9) {
                item.error = QStringLiteral("label %1 is not a digit 0-9").arg(label);
            }
            item.label = label;
        }
        m_pending.push_back(std::move(item));
    }
}

void ImportSource::openCsv(const Entry &entry)
{
    QFile file(entry.path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        throw ImportError(
            QStringLiteral("%1: cannot open: %2").arg(entry.path, file.errorString()));
    }
    const QString baseName = QFileInfo(entry.path).fileName();
    qint64 lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty()) {
            continue;
        }
        const QList<QByteArray> fields = line.split(',');
        bool firstIsNumber = false;
        fields.front().trimmed().toInt(&firstIsNumber);
        if (lineNumber == 1 && !firstIsNumber) {
            continue; // header row
        }
        ImportItem item;
        item.name = QStringLiteral("%1:%2").arg(baseName).arg(lineNumber);
        item.source = entry.source;
        item.width = NormalizedImage::Side;
        item.height = NormalizedImage::Side;
        const int pixelCount = NormalizedImage::PixelCount;
        if (fields.size() != pixelCount + 1 && fields.size() != pixelCount) {
            item.error = QStringLiteral("%1 columns; expected a label and %2 pixels (%3) or %2 "
                                        "pixels")
                             .arg(fields.size())
                             .arg(pixelCount)
                             .arg(pixelCount + 1);
            m_pending.push_back(std::move(item));
            continue;
        }
        const qsizetype first = fields.size() - pixelCount;
        if (first == 1) {
            bool ok = false;
            item.label = fields[0].trimmed().toInt(&ok);
            if (!ok || item.label < 0 || item.label > 9) {
                item.error = QStringLiteral("label '%1' is not a digit 0-9")
                                 .arg(QString::fromUtf8(fields[0]));
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
        m_pending.push_back(std::move(item));
    }
}

} // namespace digitdesk::annotation
