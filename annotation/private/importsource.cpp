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

// The reason alone: the problem names the file already.
QString reasonOf(const ImportError &error, const QString &path)
{
    const QString message = QString::fromUtf8(error.what());
    const QString prefix = path + QStringLiteral(": ");
    return message.startsWith(prefix) ? message.mid(prefix.size()) : message;
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
        try {
            m_estimatedTotal += countCsvRows(path);
            m_entries.push_back({path, source, Kind::Csv});
        } catch (const ImportError &error) {
            m_problems.push_back({path, reasonOf(error, path)});
        }
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

std::vector<ImportItem> ImportSource::nextBatch(int maxItems, qint64 maxBytes)
{
    std::vector<ImportItem> batch;
    qint64 bytes = 0;
    while (static_cast<int>(batch.size()) < maxItems && (batch.empty() || bytes < maxBytes)) {
        if (m_open) {
            const size_t before = batch.size();
            readOpen(&batch, maxItems - static_cast<int>(batch.size()), maxBytes - bytes);
            for (size_t i = before; i < batch.size(); ++i) {
                bytes += batch[i].bytes.size();
            }
            continue;
        }
        if (m_entries.empty()) {
            break;
        }
        const Entry entry = m_entries.front();
        if (entry.kind != Kind::Image) {
            m_entries.pop_front();
            open(entry);
            continue;
        }
        if (!batch.empty() && bytes + QFileInfo(entry.path).size() > maxBytes) {
            break;
        }
        m_entries.pop_front();
        batch.push_back(readImageFile(entry));
        bytes += batch.back().bytes.size();
    }
    return batch;
}

void ImportSource::open(const Entry &entry)
{
    try {
        if (entry.kind == Kind::Idx) {
            m_open = std::make_unique<IdxItems>(entry.path, entry.source);
        } else {
            m_open = std::make_unique<CsvItems>(entry.path, entry.source);
        }
        m_openPath = entry.path;
        m_openBadItems = 0;
    } catch (const ImportError &error) {
        m_problems.push_back({entry.path, reasonOf(error, entry.path)});
    }
}

void ImportSource::readOpen(std::vector<ImportItem> *batch, int maxItems, qint64 maxBytes)
{
    std::vector<ImportItem> items;
    try {
        items = m_open->next(maxItems, std::max<qint64>(maxBytes, 1));
    } catch (const ImportError &error) {
        m_problems.push_back({m_openPath, reasonOf(error, m_openPath)});
        m_open.reset();
        return;
    }
    if (items.empty()) {
        m_open.reset();
        return;
    }
    for (ImportItem &item : items) {
        if (m_openBadItems == Importer::MaxBadItemsPerFile) {
            break;
        }
        if (!item.error.isEmpty()) {
            ++m_openBadItems;
        }
        batch->push_back(std::move(item));
    }
    // A file whose rows are mostly wrong is the wrong kind of file: a thousand reasons say so.
    if (m_openBadItems >= Importer::MaxBadItemsPerFile) {
        m_problems.push_back({m_openPath, QStringLiteral("stopped after %1 bad items: not a file "
                                                         "of digits")
                                              .arg(m_openBadItems)});
        m_open.reset();
    }
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

} // namespace digitdesk::annotation
