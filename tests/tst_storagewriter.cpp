// StorageWriter: the endpoint's one writer. What it accepts reaches the workspace, even when it
// is stopped at once; what it cannot hold is dropped at once and counted, and /metrics says so.
#include "annotation/principal.h"
#include "annotation/role.h"
#include "annotation/servingcapture.h"
#include "annotation/servingmetricnames.h"
#include "app/serve/predictiontally.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/shadowtally.h"
#include "app/serve/sloledger.h"
#include "app/serve/storagewriter.h"
#include "storage/sqlquery.h"
#include "tests/support/testdata.h"

#include <QStringList>
#include <QTest>

#include <memory>
#include <mutex>
#include <string_view>

using namespace digitdesk;
using app::StorageWriter;
using app::StorageWriterLimits;

namespace {

// A 28x28 image no other call returns, with a low-confidence answer of model `modelId`.
annotation::CapturedImage image(qint64 modelId, int seed, qsizetype originalBytes = 0)
{
    annotation::CapturedImage captured;
    captured.pixels = QByteArray(784, '\0');
    captured.pixels[seed % 784] = static_cast<char>(1 + seed / 784);
    captured.original = QByteArray(originalBytes, 'x');
    captured.modelId = modelId;
    captured.label = 3;
    captured.confidence = 0.2F;
    captured.probabilities[3] = 0.2F;
    return captured;
}

// One counter of /metrics as the endpoint renders it.
double counter(const app::ServingMetrics &metrics, const app::SloLedger &ledger,
               std::string_view name)
{
    const QByteArray text = QByteArray::fromStdString(metrics.render({}, ledger));
    const QByteArray prefix = QByteArray(name.data(), qsizetype(name.size())) + ' ';
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(prefix)) {
            return line.mid(prefix.size()).toDouble();
        }
    }
    return -1;
}

} // namespace

class tst_StorageWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void aFullQueueDropsAndCounts();
    void theByteLimitDropsLargeOriginals();
    void nothingAcceptedIsLostAtStop();
    void anUnreadableWorkspaceCountsTheQueueAsDropped();

private:
    StorageWriter &writer(StorageWriterLimits limits, const QString &databasePath = {});
    qint64 capturedRows();
    double dropped() { return counter(*m_metrics, m_ledger, annotation::metric::CaptureDropped); }
    double stored() { return counter(*m_metrics, m_ledger, annotation::metric::CaptureStored); }
    QStringList log()
    {
        const std::lock_guard lock(m_logMutex);
        return m_log;
    }

    std::unique_ptr<testing::TempWorkspace> m_temp;
    qint64 m_model = 0;
    app::SloLedger m_ledger;
    app::PredictionTally m_tally;
    app::ShadowTally m_shadow;
    std::unique_ptr<app::ServingMetrics> m_metrics;
    std::mutex m_logMutex;
    QStringList m_log; // what the writer logged, from its thread
    std::unique_ptr<StorageWriter> m_writer;
};

void tst_StorageWriter::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    const annotation::Principal engineer =
        testing::addUser(*m_temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    m_model = testing::addUntrainedModel(*m_temp, engineer);
    QVERIFY(m_model > 0);
}

void tst_StorageWriter::cleanup()
{
    m_writer.reset();
    m_temp.reset();
    const std::lock_guard lock(m_logMutex);
    m_log.clear();
}

StorageWriter &tst_StorageWriter::writer(StorageWriterLimits limits, const QString &databasePath)
{
    m_metrics = std::make_unique<app::ServingMetrics>();
    m_writer = std::make_unique<StorageWriter>(
        m_temp->workspace->root(),
        databasePath.isEmpty() ? m_temp->workspace->databasePath() : databasePath, m_ledger,
        m_tally, m_shadow, *m_metrics,
        [this](const QString &line) {
            const std::lock_guard lock(m_logMutex);
            m_log << line;
        },
        limits);
    return *m_writer;
}

qint64 tst_StorageWriter::capturedRows()
{
    storage::SqlQuery query(m_temp->workspace->db(),
                            QStringLiteral("SELECT COUNT(*) FROM images WHERE source = :source"),
                            QStringLiteral("count captured images"));
    query.bindAll({{QStringLiteral(":source"), annotation::ServingCapture::Source}});
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

void tst_StorageWriter::aFullQueueDropsAndCounts()
{
    StorageWriterLimits limits;
    limits.maxQueued = 3;
    StorageWriter &queue = writer(limits);
    // Not started yet, so nothing leaves the queue: the fourth and fifth do not fit.
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(queue.capture(image(m_model, i)), i < 3);
    }
    QCOMPARE(dropped(), 2.0);
    QCOMPARE(stored(), 0.0);
    queue.start();
    QTRY_COMPARE(stored(), 3.0);
    QCOMPARE(capturedRows(), qint64(3));
    // Written, so there is room again.
    QVERIFY(queue.capture(image(m_model, 10)));
    QTRY_COMPARE(stored(), 4.0);
    QCOMPARE(dropped(), 2.0);
    QCOMPARE(capturedRows(), qint64(4));
}

void tst_StorageWriter::theByteLimitDropsLargeOriginals()
{
    StorageWriterLimits limits;
    limits.maxQueuedBytes = 3 * 784 + 100;
    StorageWriter &queue = writer(limits);
    QVERIFY(queue.capture(image(m_model, 0)));
    QVERIFY(queue.capture(image(m_model, 1)));
    QVERIFY(!queue.capture(image(m_model, 2, 1000))); // its original does not fit
    QVERIFY(queue.capture(image(m_model, 3)));        // a small one still does
    QCOMPARE(dropped(), 1.0);
    queue.start();
    queue.stop();
    QCOMPARE(stored(), 3.0);
    QCOMPARE(capturedRows(), qint64(3));
}

void tst_StorageWriter::nothingAcceptedIsLostAtStop()
{
    StorageWriterLimits limits;
    limits.flushInterval = std::chrono::hours(1); // only the stop flushes
    StorageWriter &queue = writer(limits);
    queue.start();
    int accepted = 0;
    for (int i = 0; i < 200; ++i) {
        accepted += queue.capture(image(m_model, i)) ? 1 : 0;
    }
    QCOMPARE(accepted, 200);
    queue.stop();
    QCOMPARE(capturedRows(), qint64(200));
    QCOMPARE(stored(), 200.0);
    QCOMPARE(dropped(), 0.0);
    // Once stopped, a capture is refused and counted.
    QVERIFY(!queue.capture(image(m_model, 500)));
    QCOMPARE(dropped(), 1.0);
    QVERIFY(log().isEmpty());
}

void tst_StorageWriter::anUnreadableWorkspaceCountsTheQueueAsDropped()
{
    const QString missing = m_temp->dir.path() + QStringLiteral("/no/such/folder/ws.sqlite");
    StorageWriter &queue = writer({}, missing);
    QVERIFY(queue.capture(image(m_model, 0)));
    QVERIFY(queue.capture(image(m_model, 1)));
    queue.start();
    QTRY_COMPARE(dropped(), 2.0);
    QTRY_VERIFY(!log().isEmpty());
    QVERIFY2(log().front().contains(QStringLiteral("cannot open the workspace")),
             qPrintable(log().front()));
    QVERIFY(!queue.capture(image(m_model, 2)));
    QCOMPARE(dropped(), 3.0);
    queue.stop();
    QCOMPARE(capturedRows(), qint64(0));
    QCOMPARE(stored(), 0.0);
}

QTEST_GUILESS_MAIN(tst_StorageWriter)
#include "tst_storagewriter.moc"
