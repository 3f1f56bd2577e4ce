#include "annotation/modelregistry.h"
#include "annotation/servingcontrol.h"
#include "storage/auditlog.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"
#include "ui/mainwindow.h"
#include "ui/servingprocess.h"
#include "ui/servingview.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QValueAxis>

#include <csignal>
#include <functional>

using namespace digitdesk;
using annotation::Role;

namespace {

int freePort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

// An untrained network as the production model: the endpoint needs one to be ready, and the
// answers themselves do not matter here.
void addProductionModel(const testing::TempWorkspace &temp, const annotation::Principal &who)
{
    const qint64 id = testing::addUntrainedModel(temp, who);
    testing::approveRelease(*temp.workspace, id);
    annotation::ModelRegistry(temp.workspace->db(), temp.workspace->root())
        .moveAlias(who, annotation::ProductionAlias, id, QStringLiteral("serving test"));
}

QByteArray inferBody(int seed)
{
    QJsonArray data;
    for (const char pixel : testing::ringPixels(seed)) {
        data.append(static_cast<int>(static_cast<uchar>(pixel)));
    }
    const QJsonObject input{{QStringLiteral("name"), QStringLiteral("input")},
                            {QStringLiteral("shape"), QJsonArray{1, 784}},
                            {QStringLiteral("datatype"), QStringLiteral("UINT8")},
                            {QStringLiteral("data"), data}};
    const QJsonObject body{{QStringLiteral("id"), QStringLiteral("t%1").arg(seed)},
                           {QStringLiteral("inputs"), QJsonArray{input}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

double leadingNumber(const QLabel *label)
{
    return label->text().section(QLatin1Char(' '), 0, 0).toDouble();
}

bool hasAudit(const storage::Workspace &workspace, const QString &actor, const QString &outcome,
              const QString &detailPrefix)
{
    for (const storage::AuditEntry &entry : storage::AuditLog(workspace.db()).latest(50)) {
        if (entry.actor == actor && entry.action == QStringLiteral("control_serving") &&
            entry.target == QStringLiteral("serving") && entry.outcome == outcome &&
            entry.detail.startsWith(detailPrefix)) {
            return true;
        }
    }
    return false;
}

// Answers the next message box with `button` from inside its event loop, keeping its text.
class MessageBoxAnswer final : public QObject
{
public:
    explicit MessageBoxAnswer(QMessageBox::StandardButton button) : m_button(button)
    {
        connect(&m_timer, &QTimer::timeout, this, &MessageBoxAnswer::poll);
        m_timer.start(10);
        m_clock.start();
    }
    bool answered() const { return m_answered; }
    QString text() const { return m_text; }

private:
    void poll()
    {
        if (m_clock.elapsed() > 10000) {
            m_timer.stop();
        }
        QPointer<QMessageBox> box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || !box->isVisible()) {
            return;
        }
        m_timer.stop();
        m_text = box->text();
        m_answered = true;
        QTest::mouseClick(box->button(m_button), Qt::LeftButton);
    }

    QMessageBox::StandardButton m_button;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QString m_text;
    bool m_answered = false;
};

// What the endpoint's /metrics says after some traffic, the figures the view reads.
struct Traffic
{
    double requests = 0;
    double bad = 0; // 5xx or slower than 2 s
    double succeeded = 0;
    double rejected = 0;
    double other = 0;
    double cpuSeconds = -1; // the process_* series; left out while negative
    double residentBytes = -1;
};

ui::MetricsSnapshot metrics(const Traffic &traffic)
{
    QByteArray text;
    const auto line = [&text](const char *sample, double value) {
        text += QByteArray(sample) + ' ' + QByteArray::number(value, 'g', 17) + '\n';
    };
    line("digitdesk_request_duration_seconds_bucket{le=\"0.01\"}", traffic.requests);
    line("digitdesk_request_duration_seconds_bucket{le=\"+Inf\"}", traffic.requests);
    line("digitdesk_request_duration_seconds_count", traffic.requests);
    line("digitdesk_slo_bad_total", traffic.bad);
    line("digitdesk_uptime_seconds", 100);
    line("nv_inference_request_success{model=\"digits\"}", traffic.succeeded);
    line("nv_inference_request_failure{model=\"digits\",reason=\"REJECTED\"}", traffic.rejected);
    line("nv_inference_request_failure{model=\"digits\",reason=\"BACKEND\"}", 0);
    line("nv_inference_request_failure{model=\"digits\",reason=\"OTHER\"}", traffic.other);
    if (traffic.cpuSeconds >= 0) {
        line("process_cpu_seconds_total", traffic.cpuSeconds);
        line("process_resident_memory_bytes", traffic.residentBytes);
    }
    return ui::MetricsSnapshot::parse(text);
}

const QDateTime T0(QDate(2026, 3, 3), QTime(10, 0), Qt::UTC);

void scrape(ui::ServingView &view, qint64 secondsAfterT0, const Traffic &traffic)
{
    Q_EMIT view.servingProcess()->scraped(T0.addSecs(secondsAfterT0), metrics(traffic));
}

// The labels a value axis draws, as Qt Charts formats them for fixed ticks.
QStringList axisLabels(const QValueAxis *axis)
{
    QStringList labels;
    const int ticks = axis->tickCount();
    const QByteArray format = axis->labelFormat().toLatin1();
    for (int i = 0; i < ticks; ++i) {
        const double value = axis->min() + i * (axis->max() - axis->min()) / (ticks - 1);
        labels << QString::asprintf(format.constData(), value);
    }
    return labels;
}

QValueAxis *valueAxisOf(const ui::ServingView &view, const QString &chartName)
{
    const auto *chart = view.findChild<QChartView *>(chartName)->chart();
    for (QAbstractAxis *axis : chart->axes(Qt::Vertical)) {
        if (auto *values = qobject_cast<QValueAxis *>(axis)) {
            return values;
        }
    }
    return nullptr;
}

QString labelText(const ui::ServingView &view, const QString &name)
{
    return view.findChild<QLabel *>(name)->text();
}

} // namespace

Q_DECLARE_METATYPE(Traffic)

class tst_ServingView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyEngineersAndAdminsControlServing();
    void engineerStartsWatchesAndStopsTheEndpoint();
    void aStaleStateFileIsNotTrusted();
    void processChartShowsCpuAndMemory();
    void axisLabelsAreDistinct_data();
    void axisLabelsAreDistinct();
    void errorRateAndFailuresSayWhatTheyCount();
};

void tst_ServingView::onlyEngineersAndAdminsControlServing()
{
    testing::TempWorkspace temp;
    const auto ana = testing::addUser(*temp.workspace, QStringLiteral("ana"), Role::Annotator);
    ui::MainWindow window(*temp.workspace, ana);
    const auto *nav = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    QVERIFY(nav->findItems(QStringLiteral("Serving"), Qt::MatchExactly).isEmpty());
    QVERIFY(window.servingView() == nullptr);

    // The role is checked in annotation/, not only hidden, and the refusal is audited.
    const annotation::ServingControl control(temp.workspace->db());
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { control.authorizeStart(ana, QStringLiteral("127.0.0.1:8080")); }));
    QVERIFY(hasAudit(*temp.workspace, QStringLiteral("ana"), QStringLiteral("denied"), {}));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { control.authorizeStop(ana, QStringLiteral("pid 1")); }));
    const auto reviewer = testing::addUser(*temp.workspace, QStringLiteral("rui"), Role::Reviewer);
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { control.authorizeStart(reviewer, QStringLiteral("127.0.0.1:8080")); }));
    const auto admin = testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin);
    control.authorizeStop(admin, QStringLiteral("pid 1"));
    QVERIFY(hasAudit(*temp.workspace, QStringLiteral("ada"), QStringLiteral("ok"),
                     QStringLiteral("stop pid 1")));

    // A view built for her anyway refuses at Start and launches nothing.
    ui::ServingView view(*temp.workspace, ana);
    view.setExecutable(QStringLiteral(DIGITDESK_BINARY));
    view.show();
    QTest::mouseClick(view.findChild<QPushButton *>(QStringLiteral("servingStart")),
                      Qt::LeftButton);
    const auto *message = view.findChild<QLabel *>(QStringLiteral("servingMessage"));
    QVERIFY2(message->text().contains(QStringLiteral("permission denied")),
             qPrintable(message->text()));
    QCOMPARE(view.servingProcess()->state(), ui::ServingProcess::State::Stopped);
    QCOMPARE(view.servingProcess()->endpoint().pid, qint64(0));
    QVERIFY(!QFile::exists(view.servingProcess()->logFile()));
}

void tst_ServingView::engineerStartsWatchesAndStopsTheEndpoint()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    addProductionModel(temp, eve);
    const int port = freePort();
    QVERIFY(port > 0);

    ui::MainWindow window(*temp.workspace, eve);
    window.show();
    QVERIFY(window.showView(QStringLiteral("Serving")));
    ui::ServingView &view = *window.servingView();
    view.setExecutable(QStringLiteral(DIGITDESK_BINARY));
    ui::ServingProcess *process = view.servingProcess();
    // Whatever happens below, no endpoint outlives the test.
    const auto cleanup = qScopeGuard([process] {
        const qint64 pid = process->endpoint().pid;
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), SIGTERM) == 0) {
            for (int i = 0; i < 100 && ui::ServingProcess::isAlive(pid); ++i) {
                QThread::msleep(100);
            }
        }
    });
    auto *state = view.findChild<QLabel *>(QStringLiteral("servingState"));
    auto *start = view.findChild<QPushButton *>(QStringLiteral("servingStart"));
    auto *stop = view.findChild<QPushButton *>(QStringLiteral("servingStop"));
    auto *log = view.findChild<QPlainTextEdit *>(QStringLiteral("servingLog"));
    QCOMPARE(state->text(), QStringLiteral("stopped"));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("servingEmpty"))
                ->text()
                .contains(QStringLiteral("not running")));
    QVERIFY(start->isEnabled());
    QVERIFY(!stop->isEnabled());

    view.findChild<QSpinBox *>(QStringLiteral("servingPort"))->setValue(port);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(!start->isEnabled());
    QTRY_VERIFY2_WITH_TIMEOUT(state->text() == QStringLiteral("ready"),
                              qPrintable(state->text() + QLatin1Char('\n') + log->toPlainText()),
                              30000);
    QVERIFY(hasAudit(*temp.workspace, QStringLiteral("eve"), QStringLiteral("ok"),
                     QStringLiteral("start 127.0.0.1:%1").arg(port)));
    const auto endpoint = ui::ServingProcess::readStateFile(process->stateFile());
    QVERIFY(endpoint.has_value());
    QCOMPARE(endpoint->pid, process->endpoint().pid);
    QCOMPARE(endpoint->port, port);
    QVERIFY(ui::ServingProcess::isAlive(endpoint->pid));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("servingPid"))->text(),
             QStringLiteral("pid %1").arg(endpoint->pid));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("servingAddress"))
                ->text()
                .endsWith(QStringLiteral(":%1").arg(port)));
    QTRY_VERIFY(view.findChild<QLabel *>(QStringLiteral("servingModel"))
                    ->text()
                    .startsWith(QStringLiteral("model ")));
    QTRY_VERIFY(log->toPlainText().contains(QStringLiteral("starting: ")));

    // Real inference requests, as a client of the KServe v2 protocol sends them.
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    constexpr int Requests = 5;
    QList<int> statuses;
    QByteArray firstAnswer;
    for (int i = 1; i <= Requests; ++i) {
        QNetworkRequest request(
            QUrl(QStringLiteral("http://127.0.0.1:%1/v2/models/digits/infer").arg(port)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = network.post(request, inferBody(i));
        connect(reply, &QNetworkReply::finished, this, [reply, &statuses, &firstAnswer] {
            reply->deleteLater();
            statuses << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (firstAnswer.isEmpty()) {
                firstAnswer = reply->readAll();
            }
        });
    }
    QTRY_VERIFY_WITH_TIMEOUT(statuses.size() == Requests, 30000);
    QCOMPARE(statuses, QList<int>(Requests, 200));
    QVERIFY2(QJsonDocument::fromJson(firstAnswer).object().contains(QStringLiteral("outputs")),
             firstAnswer.constData());

    // The dashboard sees the traffic within a scrape or two.
    auto *rate = view.findChild<QLabel *>(QStringLiteral("sloRate"));
    QTRY_VERIFY2_WITH_TIMEOUT(leadingNumber(rate) > 0, qPrintable(rate->text()), 15000);
    QVERIFY(rate->text().endsWith(QStringLiteral("req/s")));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("sloP99"))->text() != QStringLiteral("–"));
    QVERIFY(view.tracker().figures().latencyObjectiveMet());
    auto *availability = view.findChild<QLabel *>(QStringLiteral("sloAvailability1h"));
    QTRY_COMPARE_WITH_TIMEOUT(availability->text(), QStringLiteral("100.000%"), 15000);
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("sloBudget"))->text(),
             QStringLiteral("100.0% left"));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("sloBurn1h"))->text(),
             QStringLiteral("0.00×"));
    QVERIFY(!view.tracker().figures().page);

    QVERIFY(stop->isEnabled());
    {
        // No leaves the endpoint serving: nothing is signalled or audited.
        MessageBoxAnswer no(QMessageBox::No);
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(no.answered());
        QCOMPARE(no.text(), QStringLiteral("Stop the serving endpoint? Requests in flight finish; "
                                           "new requests are refused until it is started again."));
    }
    QCOMPARE(process->state(), ui::ServingProcess::State::Ready);
    QVERIFY(stop->isEnabled());
    QVERIFY(ui::ServingProcess::isAlive(endpoint->pid));
    QVERIFY(!hasAudit(*temp.workspace, QStringLiteral("eve"), QStringLiteral("ok"),
                      QStringLiteral("stop pid")));
    MessageBoxAnswer yes(QMessageBox::Yes);
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(yes.answered());
    QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("stopped"), 30000);
    QVERIFY(!QFile::exists(process->stateFile()));
    QVERIFY(!ui::ServingProcess::isAlive(endpoint->pid));
    QVERIFY(hasAudit(*temp.workspace, QStringLiteral("eve"), QStringLiteral("ok"),
                     QStringLiteral("stop pid %1").arg(endpoint->pid)));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("servingEmpty"))
                ->text()
                .contains(QStringLiteral("not running")));
    QVERIFY(start->isEnabled());
}

void tst_ServingView::aStaleStateFileIsNotTrusted()
{
    // An endpoint killed with SIGKILL leaves serving.json behind; its pid may since belong to
    // another process (here: this test). The view must neither attach to it nor signal it.
    testing::TempWorkspace temp;
    QDir().mkpath(temp.workspace->logsPath());
    QVERIFY(testing::writeFile(temp.workspace->logsPath() + QStringLiteral("/serving.json"),
                               QStringLiteral("{\"pid\": %1, \"host\": \"127.0.0.1\", "
                                              "\"port\": 9, \"started\": \"2026-01-01T00:00:00Z\"}")
                                   .arg(QCoreApplication::applicationPid())
                                   .toUtf8()));
    ui::ServingProcess process(temp.workspace->root(), temp.workspace->logsPath());
    process.refresh();
    QTest::qWait(300);
    process.refresh();
    QCOMPARE(static_cast<int>(process.state()),
             static_cast<int>(ui::ServingProcess::State::Stopped));
    QVERIFY(ui::ServingProcess::isAlive(QCoreApplication::applicationPid()));
    QVERIFY(!ui::ServingProcess::isEndpointProcess(QCoreApplication::applicationPid()));
}

void tst_ServingView::processChartShowsCpuAndMemory()
{
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    Traffic before{10, 0, 10, 0, 0, 1.0, 100e6};
    Traffic after{20, 0, 20, 0, 0, 6.0, 150e6}; // 5 s of CPU in 10 s: half of two cores
    scrape(view, 0, before);
    scrape(view, 10, after);
    const auto *chart =
        view.findChild<QChartView *>(QStringLiteral("servingProcessChart"))->chart();
    QMap<QString, QPointF> last;
    for (QAbstractSeries *series : chart->series()) {
        const auto *line = qobject_cast<QLineSeries *>(series);
        QVERIFY(line != nullptr && line->count() > 0);
        last.insert(line->name(), line->at(line->count() - 1));
    }
    QCOMPARE(last.value(QStringLiteral("CPU")).y(), 0.5);
    QCOMPARE(last.value(QStringLiteral("memory")).y(), 150.0);
}

void tst_ServingView::axisLabelsAreDistinct_data()
{
    QTest::addColumn<QString>("chart");
    QTest::addColumn<Traffic>("traffic");
    QTest::addColumn<double>("highest"); // what the axis must reach
    const QString rate = QStringLiteral("servingLatencyChart");
    const QString errors = QStringLiteral("servingErrorChart");
    // Ten seconds apart, so the rate is requests / 10.
    QTest::newRow("no traffic") << rate << Traffic{} << 1.0;
    QTest::newRow("1 req/s: axis to 1.2") << rate << Traffic{10, 0, 10, 0, 0} << 1.2;
    QTest::newRow("3.3 req/s") << rate << Traffic{33, 0, 33, 0, 0} << 3.96;
    QTest::newRow("47 req/s") << rate << Traffic{470, 0, 470, 0, 0} << 56.4;
    QTest::newRow("1234.5 req/s") << rate << Traffic{12345, 0, 12345, 0, 0} << 1481.4;
    QTest::newRow("87654 req/s") << rate << Traffic{876540, 0, 876540, 0, 0} << 105184.8;
    QTest::newRow("no errors") << errors << Traffic{10, 0, 10, 0, 0} << 0.01;
    QTest::newRow("0.1% errors") << errors << Traffic{1000, 1, 999, 1, 0} << 0.12;
    QTest::newRow("all errors") << errors << Traffic{10, 10, 0, 10, 0} << 120.0;
}

void tst_ServingView::axisLabelsAreDistinct()
{
    QFETCH(QString, chart);
    QFETCH(Traffic, traffic);
    QFETCH(double, highest);
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    scrape(view, 0, {});
    scrape(view, 10, traffic);

    const QValueAxis *axis = valueAxisOf(view, chart);
    QVERIFY(axis != nullptr);
    QCOMPARE(axis->min(), 0.0);
    QVERIFY2(axis->max() >= highest * (1 - 1e-9), qPrintable(QString::number(axis->max())));
    QVERIFY2(axis->max() < highest * 2.5, qPrintable(QString::number(axis->max())));
    QCOMPARE(axis->tickType(), QValueAxis::TicksFixed);
    const QStringList labels = axisLabels(axis);
    QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
    QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
    for (const QString &label : labels) {
        QVERIFY2(label.size() <= 8, qPrintable(labels.join(QLatin1Char(' '))));
    }
}

void tst_ServingView::errorRateAndFailuresSayWhatTheyCount()
{
    testing::TempWorkspace temp;
    const auto eve = testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer);
    ui::ServingView view(*temp.workspace, eve);
    QVERIFY(labelText(view, QStringLiteral("sloErrorRateCaption"))
                .contains(QStringLiteral("last 60 s")));

    // Two bad inputs (400): failed requests, but not errors of the endpoint.
    scrape(view, 0, {});
    scrape(view, 10, {7, 0, 5, 0, 2});
    QCOMPARE(labelText(view, QStringLiteral("sloErrorRate")), QStringLiteral("0.00%"));
    QCOMPARE(labelText(view, QStringLiteral("sloErrorDetail")),
             QStringLiteral("0 of 7 requests answered 5xx or slower than 2 s"));
    QString counters = labelText(view, QStringLiteral("servingCounters"));
    QVERIFY2(counters.startsWith(QStringLiteral("Since start: 7 inference requests · 5 succeeded · "
                                                "2 failed (0 rejected with the queue full, 0 model "
                                                "errors, 2 other")),
             qPrintable(counters));
    QVERIFY2(counters.contains(
                 QStringLiteral("0 answered 5xx or slower than 2 s (what the error rate counts)")),
             qPrintable(counters));

    // A full queue answers 503: a failure and an error, in both figures.
    scrape(view, 20, {8, 1, 5, 1, 2});
    QCOMPARE(labelText(view, QStringLiteral("sloErrorRate")), QStringLiteral("12.50%"));
    QCOMPARE(labelText(view, QStringLiteral("sloErrorDetail")),
             QStringLiteral("1 of 8 requests answered 5xx or slower than 2 s"));
    counters = labelText(view, QStringLiteral("servingCounters"));
    QVERIFY2(counters.contains(QStringLiteral("3 failed (1 rejected with the queue full")),
             qPrintable(counters));
    QVERIFY2(counters.contains(QStringLiteral("1 answered 5xx or slower than 2 s")),
             qPrintable(counters));
}

QTEST_MAIN(tst_ServingView)
#include "tst_servingview.moc"
