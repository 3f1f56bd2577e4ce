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
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>
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

} // namespace

class tst_ServingView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyEngineersAndAdminsControlServing();
    void engineerStartsWatchesAndStopsTheEndpoint();
    void aStaleStateFileIsNotTrusted();
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
            [[maybe_unused]] const bool gone =
                QTest::qWaitFor([pid] { return !ui::ServingProcess::isAlive(pid); }, 10000);
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
    QSignalSpy refreshed(&process, &ui::ServingProcess::refreshed);
    process.refresh();
    QTRY_COMPARE(refreshed.count(), 1);
    process.refresh();
    QTRY_COMPARE(refreshed.count(), 2);
    QCOMPARE(static_cast<int>(process.state()),
             static_cast<int>(ui::ServingProcess::State::Stopped));
    QVERIFY(ui::ServingProcess::isAlive(QCoreApplication::applicationPid()));
    QVERIFY(!ui::ServingProcess::isEndpointProcess(QCoreApplication::applicationPid()));
}

QTEST_MAIN(tst_ServingView)
#include "tst_servingview.moc"
