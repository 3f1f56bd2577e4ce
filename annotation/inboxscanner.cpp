#include "annotation/inboxscanner.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace digitdesk::annotation {

bool InboxScanner::isTemporaryName(const QString &fileName)
{
    static const QStringList suffixes = {QStringLiteral(".tmp"), QStringLiteral(".part"),
                                         QStringLiteral(".partial"), QStringLiteral(".crdownload"),
                                         QStringLiteral("~")};
    if (fileName.startsWith(QLatin1Char('.'))) {
        return true;
    }
    return std::any_of(suffixes.begin(), suffixes.end(), [&fileName](const QString &suffix) {
        return fileName.endsWith(suffix, Qt::CaseInsensitive);
    });
}

InboxScanner::Scan InboxScanner::scan(const QString &folder, qint64 nowMs)
{
    Scan result;
    const QFileInfoList entries =
        QDir(folder).entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Time | QDir::Reversed);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSet<QString> present;
    for (const QFileInfo &entry : entries) {
        if (isTemporaryName(entry.fileName())) {
            continue;
        }
        const QString path = entry.absoluteFilePath();
        present.insert(path);
        const qint64 size = entry.size();
        const QDateTime modified = entry.lastModified().toUTC();
        auto seen = m_seen.find(path);
        if (seen == m_seen.end()) {
            // Not modified for the settle interval already (by the file's own time): complete
            // now, as a file that was renamed into the folder after it was written.
            const qint64 age = modified.msecsTo(now);
            const qint64 since = age >= m_settleMs ? nowMs - m_settleMs : nowMs;
            seen = m_seen.insert(path, {size, modified, since});
        } else if (seen->size != size || seen->modified != modified) {
            *seen = {size, modified, nowMs};
        }
        const qint64 left = seen->stableSinceMs + m_settleMs - nowMs;
        if (left <= 0) {
            result.complete << path;
        } else {
            ++result.waiting;
            result.recheckInMs = std::min(result.recheckInMs.value_or(left), left);
        }
    }
    for (auto it = m_seen.begin(); it != m_seen.end();) {
        it = present.contains(it.key()) ? std::next(it) : m_seen.erase(it);
    }
    return result;
}

} // namespace digitdesk::annotation
