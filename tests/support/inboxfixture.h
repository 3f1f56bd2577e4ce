#pragma once

// Helpers of the inbox's tests and benchmark: distinct scans, files dropped as a scanner drops
// them, and `digitdesk watch` as a child process. Header-only, like datasetfixture.h.

#include "annotation/annotationservice.h"
#include "annotation/inbox.h"
#include "annotation/modelregistry.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QDate>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <csignal>
#include <functional>
#include <vector>

namespace digitdesk::testing {

// A 96x96 scan, dark ink on light paper, of three strokes drawn from `seed`: no two seeds give
// the same image once normalised to 28x28.
inline QByteArray strokeScan(int seed, const char *extension = ".png")
{
    cv::RNG random(static_cast<uint64_t>(seed) * 7919 + 17);
    cv::Mat image(96, 96, CV_8U, cv::Scalar(235));
    cv::Point from(random.uniform(10, 86), random.uniform(10, 86));
    for (int stroke = 0; stroke < 3; ++stroke) {
        const cv::Point to(random.uniform(10, 86), random.uniform(10, 86));
        cv::line(image, from, to, cv::Scalar(20), 5, cv::LINE_AA);
        from = to;
    }
    std::vector<uchar> bytes;
    cv::imencode(extension, image, bytes);
    return {reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size())};
}

// As a well-behaved scanner does: written under a temporary name, then renamed.
inline bool dropFile(const QString &inbox, const QString &name, const QByteArray &bytes)
{
    const QString temporary =
        QDir(inbox).filePath(QLatin1Char('.') + name + QStringLiteral(".tmp"));
    return writeFile(temporary, bytes) && QFile::rename(temporary, QDir(inbox).filePath(name));
}

inline qint64 countOf(const storage::Workspace &workspace, const QString &sql)
{
    storage::SqlQuery query(workspace.db(), sql, QStringLiteral("count for the test"));
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

// Images the inbox imported, and those of them with the production model's prediction.
inline qint64 inboxImages(const storage::Workspace &workspace)
{
    return countOf(workspace, QStringLiteral("SELECT COUNT(*) FROM images WHERE source = 'inbox'"));
}

inline qint64 predictedInboxImages(const storage::Workspace &workspace)
{
    return countOf(workspace,
                   QStringLiteral("SELECT COUNT(DISTINCT p.image_id) FROM predictions p JOIN images"
                                  " i ON i.id = p.image_id JOIN model_aliases a ON a.model_id ="
                                  " p.model_id AND a.alias = 'production' WHERE i.source ="
                                  " 'inbox'"));
}

inline QString processedToday(const QString &inbox)
{
    return QDir(inbox).filePath(QStringLiteral("processed/") +
                                QDate::currentDate().toString(Qt::ISODate));
}

inline int filesIn(const QString &folder, const QStringList &filters = {})
{
    return static_cast<int>(
        QDir(folder).entryList(filters, QDir::Files | QDir::NoDotAndDotDot).size());
}

// An untrained network as the production model: what it answers does not matter here.
inline qint64 addProductionModel(const TempWorkspace &temp)
{
    const annotation::Principal who = annotation::Principal::localOperator();
    const qint64 id = addUntrainedModel(temp, who);
    approveRelease(*temp.workspace, id);
    annotation::ModelRegistry(temp.workspace->db(), temp.workspace->root())
        .moveAlias(who, annotation::ProductionAlias, id, QStringLiteral("inbox test"));
    return id;
}

inline void setSetting(const storage::Workspace &workspace, const char *key, const QString &value)
{
    storage::SettingsRepository(workspace.db()).setValue(QString::fromLatin1(key), value);
}

// An annotator labelling as the GUI does (next item, label committed) while `busy()` holds:
// how long each label commit took, in ms.
inline std::vector<double> labelCommitsWhile(const storage::Workspace &workspace,
                                             const annotation::Principal &annotator,
                                             const std::function<bool()> &busy)
{
    annotation::AnnotationService service(workspace.db());
    std::vector<double> latencies;
    QElapsedTimer timer;
    while (busy()) {
        const auto item = service.next(annotator);
        if (!item) {
            break;
        }
        timer.start();
        service.label(annotator, item->imageId,
                      storage::Label::fromDigit(static_cast<int>(item->imageId % 10)), 800);
        latencies.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    return latencies;
}

// The q-quantile (0..1) of `values`, nearest rank.
inline double quantile(std::vector<double> values, double q)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(rank, values.size() - 1)];
}

// `digitdesk watch` on a workspace, killed with the object if it still runs.
class WatchProcess final
{
public:
    explicit WatchProcess(const QString &workspace, const QStringList &more = {})
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
        environment.insert(QStringLiteral("DIGITDESK_THREADS"), QStringLiteral("1"));
        m_process.setProcessEnvironment(environment);
        m_process.start(
            QStringLiteral(DIGITDESK_BINARY),
            QStringList{QStringLiteral("watch"), QStringLiteral("--workspace"), workspace} + more);
        m_process.waitForStarted();
    }
    ~WatchProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }
    WatchProcess(const WatchProcess &) = delete;
    WatchProcess &operator=(const WatchProcess &) = delete;

    void signal(int number) { ::kill(static_cast<pid_t>(m_process.processId()), number); }
    bool exited() const { return m_process.state() == QProcess::NotRunning; }
    QString exitReport()
    {
        const QString how =
            m_process.error() == QProcess::FailedToStart
                ? QStringLiteral("could not start (%1)").arg(m_process.errorString())
            : m_process.exitStatus() == QProcess::CrashExit
                ? QStringLiteral("was killed or crashed")
                : QStringLiteral("exited with code %1").arg(m_process.exitCode());
        return QStringLiteral("digitdesk watch %1 before the test was done; its log:\n%2")
            .arg(how, log());
    }
    QProcess &process() { return m_process; }
    QString log() { return m_log += QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QProcess m_process;
    QString m_log;
};

} // namespace digitdesk::testing

// QTRY_VERIFY_WITH_TIMEOUT and QTRY_COMPARE_WITH_TIMEOUT for a test whose WatchProcess must keep
// running: when it exits, they fail at once with its exit and log instead of waiting out the
// timeout (under a sanitizer that is 12 minutes per wait).
#define WATCHER_TRY_VERIFY(watch, condition, timeout)                                              \
    do {                                                                                           \
        QTRY_VERIFY_WITH_TIMEOUT((condition) || (watch).exited(), timeout);                        \
        QVERIFY2((condition) || !(watch).exited(), qPrintable((watch).exitReport()));              \
        QVERIFY(condition);                                                                        \
    } while (false)

#define WATCHER_TRY_COMPARE(watch, actual, expected, timeout)                                      \
    do {                                                                                           \
        QTRY_VERIFY_WITH_TIMEOUT((actual) == (expected) || (watch).exited(), timeout);             \
        QVERIFY2((actual) == (expected) || !(watch).exited(), qPrintable((watch).exitReport()));   \
        QCOMPARE(actual, expected);                                                                \
    } while (false)
