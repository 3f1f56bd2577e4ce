#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace digitdesk::annotation {

// Which files of the inbox folder are complete. A file is taken once its size and modification
// time have not changed for the settle interval; names a scanner writes to before renaming
// (a leading dot, .tmp, .part, .partial, .crdownload, a trailing ~) are never taken. Only the
// folder's own files count: processed/ and failed/ are folders.
class InboxScanner final
{
public:
    struct Scan
    {
        QStringList complete;              // absolute paths, oldest modification first
        qint64 waiting = 0;                // files not complete yet
        std::optional<qint64> recheckInMs; // when the next of them may be complete
    };

    static bool isTemporaryName(const QString &fileName);

    explicit InboxScanner(int settleMs) : m_settleMs(settleMs) {}
    int settleMs() const { return m_settleMs; }
    void setSettleMs(int settleMs) { m_settleMs = settleMs; }

    // Lists `folder`; `nowMs` is a monotonic clock (QElapsedTimer) shared by every call.
    Scan scan(const QString &folder, qint64 nowMs);
    // Forgets a file once it was taken, so the same name dropped again counts as new.
    void forget(const QString &path) { m_seen.remove(path); }

private:
    struct Seen
    {
        qint64 size = -1;
        QDateTime modified;
        qint64 stableSinceMs = 0;
    };

    int m_settleMs;
    QHash<QString, Seen> m_seen;
};

} // namespace digitdesk::annotation
