#include "annotation/private/importsource.h"

#include "annotation/idxfile.h"
#include "annotation/imagenormalizer.h"
#include "annotation/private/decodebudget.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include <sys/stat.h>

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
storage::MaybeLabel labelFromFolder(const QString &path)
{
    const QString folder = QFileInfo(path).dir().dirName();
    if (folder.size() == 1 && folder[0].isDigit()) {
        return storage::Label::fromDigit(folder[0].digitValue());
    }
    return std::nullopt;
}

QString brokenLinkReason(const QFileInfo &link, int error)
{
    if (error == ELOOP) {
        return QStringLiteral("a symbolic link loop (through %1)").arg(link.symLinkTarget());
    }
    if (error == ENOENT) {
        return QStringLiteral("a symbolic link to %1, which does not exist")
            .arg(link.symLinkTarget());
    }
    return QStringLiteral("a symbolic link that cannot be followed: %1")
        .arg(QString::fromLocal8Bit(strerror(error)));
}

// What a scan holds in memory from its batch until it is normalised: its file, and its decoded
// pixels unless they are refused unread.
qint64 memoryOf(const ImportItem &item)
{
    const qint64 decoded = item.encoded ? decodeCostOf(item.bytes).bytes : 0;
    return item.bytes.size() + (decoded <= Importer::MaxDecodedBytes ? decoded : 0);
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
    struct stat status = {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0) {
        const int error = errno;
        m_problems.push_back({path, info.isSymLink() ? brokenLinkReason(info, error)
                                                     : QStringLiteral("no such file or folder")});
        return;
    }
    if (S_ISDIR(status.st_mode)) {
        addFolder(info.absoluteFilePath(), source);
    } else if (S_ISREG(status.st_mode)) {
        addFile(info.absoluteFilePath(), source, true);
    } else {
        // Reading a pipe or a device waits for ever or never ends.
        m_problems.push_back({path, QStringLiteral("not a regular file (a pipe, socket or "
                                                   "device)")});
    }
}

void ImportSource::addFolder(const QString &root, const QString &source)
{
    // Every folder reached, by device and inode, with the path it was first reached by: a
    // symbolic link (or a bind mount) back to a folder above it is a loop, reported and not
    // followed, and a folder reached twice some other way is walked once.
    std::map<std::pair<dev_t, ino_t>, QString> walked;
    std::vector<QString> pending{root};
    QStringList files;
    while (!pending.empty()) {
        const QString folder = pending.back();
        pending.pop_back();
        struct stat status = {};
        if (::stat(QFile::encodeName(folder).constData(), &status) != 0) {
            const int error = errno;
            m_problems.push_back({folder, QStringLiteral("cannot read the folder: %1")
                                              .arg(QString::fromLocal8Bit(strerror(error)))});
            continue;
        }
        const auto [at, first] = walked.try_emplace({status.st_dev, status.st_ino}, folder);
        if (!first) {
            if (folder.startsWith(at->second + QLatin1Char('/'))) {
                m_problems.push_back(
                    {folder, QStringLiteral("a symbolic link or mount back to %1, a folder it is "
                                            "in: a loop, not followed")
                                 .arg(at->second)});
            }
            continue;
        }
        const QFileInfoList entries = QDir(folder).entryInfoList(
            QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &entry : entries) {
            struct stat target = {};
            const QString path = entry.absoluteFilePath();
            if (::stat(QFile::encodeName(path).constData(), &target) != 0) {
                const int error = errno;
                m_problems.push_back({path, entry.isSymLink()
                                                ? brokenLinkReason(entry, error)
                                                : QString::fromLocal8Bit(strerror(error))});
            } else if (S_ISDIR(target.st_mode)) {
                pending.push_back(path);
            } else if (S_ISREG(target.st_mode)) {
                files << path;
            } else {
                ++m_skipped;
            }
        }
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
        bytes += memoryOf(batch.back());
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
    const QString tooLarge = QStringLiteral("too large: %1 MB (the limit is %2 MB)");
    if (file.size() > Importer::MaxFileBytes) {
        item.error = tooLarge.arg(file.size() / (1024LL * 1024))
                         .arg(Importer::MaxFileBytes / (1024LL * 1024));
        return item;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        item.error = QStringLiteral("cannot open: %1").arg(file.errorString());
        return item;
    }
    // Read no further than the limit: the file may have grown since its size was looked at.
    item.bytes = file.read(Importer::MaxFileBytes + 1);
    if (item.bytes.size() > Importer::MaxFileBytes) {
        item.bytes.clear();
        item.error =
            tooLarge
                .arg(QStringLiteral("more than %1").arg(Importer::MaxFileBytes / (1024LL * 1024)))
                .arg(Importer::MaxFileBytes / (1024LL * 1024));
    }
    return item;
}

} // namespace digitdesk::annotation
