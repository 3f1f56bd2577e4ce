#include "ui/monitoringview.h"

#include "annotation/comparisonfigures.h"
#include "annotation/servingexperiment.h"
#include "storage/connection.h"
#include "storage/workspace.h"
#include "ui/chartpalette.h"
#include "ui/chartparts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui {
namespace {

qint64 windowSeconds(const QString &window)
{
    const qint64 amount = window.left(window.size() - 1).toLongLong();
    switch (window.back().toLatin1()) {
    case 'm':
        return amount * 60;
    case 'h':
        return amount * 3600;
    default:
        return amount * 86400;
    }
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

} // namespace

MonitoringWorker::MonitoringWorker(QString databasePath, annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_who(std::move(who))
{
    qRegisterMetaType<annotation::DriftReport>();
}

MonitoringWorker::~MonitoringWorker() = default;

void MonitoringWorker::load(const QDateTime &since)
{
    try {
        if (!m_connection) {
            m_connection = std::make_unique<storage::Connection>(m_databasePath);
        }
        Q_EMIT reportReady(annotation::DriftMonitor(m_connection->db()).report(m_who, since));
    } catch (const std::exception &error) {
        Q_EMIT failed(QString::fromUtf8(error.what()));
    }
}

void MonitoringWorker::loadShadow(const QDateTime &from, const QDateTime &to)
{
    try {
        if (!m_connection) {
            m_connection = std::make_unique<storage::Connection>(m_databasePath);
        }
        const annotation::ShadowMonitor monitor(m_connection->db());
        Q_EMIT shadowReady({monitor.report(m_who, from, to), monitor.status(m_who), from, to});
    } catch (const std::exception &error) {
        Q_EMIT shadowFailed(QString::fromUtf8(error.what()));
    }
}

void MonitoringWorker::setShares(double shadow, double canary, const QDateTime &from,
                                 const QDateTime &to)
{
    try {
        if (!m_connection) {
            m_connection = std::make_unique<storage::Connection>(m_databasePath);
        }
        annotation::ServingExperiment experiment(m_connection->db());
        experiment.setShadowShare(m_who, shadow);
        experiment.setCanaryShare(m_who, canary);
    } catch (const std::exception &error) {
        Q_EMIT shadowFailed(QString::fromUtf8(error.what()));
        return;
    }
    loadShadow(from, to);
}

MonitoringView::MonitoringView(const storage::Workspace &workspace, annotation::Principal who,
                               QWidget *parent)
    : QWidget(parent), m_worker(new MonitoringWorker(workspace.databasePath(), std::move(who))),
      m_window(new QComboBox(this)), m_banner(new QLabel(this)), m_figures(new QLabel(this)),
      m_shadow(
          new ShadowPane(annotation::isAllowed(who.role, annotation::Action::ControlServing), this))
{
    qRegisterMetaType<ShadowSnapshot>();
    setObjectName(QStringLiteral("monitoringView"));
    m_window->setObjectName(QStringLiteral("monitoringWindow"));
    for (const auto &[label, key] : {std::pair{tr("Last 15 minutes"), QStringLiteral("15m")},
                                     std::pair{tr("Last hour"), QStringLiteral("1h")},
                                     std::pair{tr("Last 6 hours"), QStringLiteral("6h")},
                                     std::pair{tr("Last 24 hours"), QStringLiteral("24h")},
                                     std::pair{tr("Last 7 days"), QStringLiteral("7d")}}) {
        m_window->addItem(label, key);
    }
    m_window->setCurrentIndex(1);
    m_banner->setObjectName(QStringLiteral("driftBanner"));
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #b00020; color: white; padding: 8px; font-weight: bold; }"));
    m_banner->hide();
    m_figures->setObjectName(QStringLiteral("driftFigures"));
    m_figures->setTextFormat(Qt::PlainText);
    m_figures->setWordWrap(true);
    auto *refreshButton = new QPushButton(tr("&Refresh"), this);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("&Window:"), this));
    qobject_cast<QLabel *>(top->itemAt(0)->widget())->setBuddy(m_window);
    top->addWidget(m_window);
    top->addWidget(refreshButton);
    top->addStretch(1);

    auto *charts = new QGridLayout;
    charts->addWidget(makeClassChart(), 0, 0);
    charts->addWidget(makeConfidenceChart(), 0, 1);
    charts->addWidget(makeTimeChart(), 1, 0, 1, 2);

    auto *drift = new QWidget(this);
    auto *driftLayout = new QVBoxLayout(drift);
    driftLayout->setContentsMargins(0, 0, 0, 0);
    driftLayout->addWidget(m_banner);
    driftLayout->addWidget(m_figures);
    driftLayout->addLayout(charts, 1);
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("monitoringTabs"));
    tabs->addTab(drift, tr("&Drift"));
    tabs->addTab(m_shadow, tr("&Shadow and canary"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(tabs, 1);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &MonitoringView::requestReport, m_worker, &MonitoringWorker::load);
    connect(m_worker, &MonitoringWorker::reportReady, this, &MonitoringView::handleReport);
    connect(m_worker, &MonitoringWorker::failed, this, &MonitoringView::handleFailure);
    connect(this, &MonitoringView::requestShadow, m_worker, &MonitoringWorker::loadShadow);
    connect(m_worker, &MonitoringWorker::shadowReady, this, [this](const ShadowSnapshot &snapshot) {
        m_shadow->showSnapshot(snapshot);
        Q_EMIT shadowShown();
    });
    connect(m_worker, &MonitoringWorker::shadowFailed, m_shadow, &ShadowPane::showFailure);
    connect(m_shadow, &ShadowPane::sharesChosen, this, [this](double shadow, double canary) {
        const QDateTime to = QDateTime::currentDateTimeUtc();
        const QDateTime from = to.addSecs(-windowSeconds(m_window->currentData().toString()));
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, shadow, canary, from, to] {
            worker->setShares(shadow, canary, from, to);
        });
    });
    m_thread.start();
    connect(m_window, &QComboBox::currentIndexChanged, this, &MonitoringView::refresh);
    connect(refreshButton, &QPushButton::clicked, this, &MonitoringView::refresh);
    m_timer.setInterval(RefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &MonitoringView::refresh);
    m_figures->setText(tr("Reading what the endpoint served…"));
}

MonitoringView::~MonitoringView()
{
    m_thread.quit();
    m_thread.wait();
}

QWidget *MonitoringView::makeClassChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Answers per class: served vs the training version"));
    m_servedSet = new QBarSet(tr("served"), chart);
    m_servedSet->setColor(chartBlue(palette()));
    m_trainingSet = new QBarSet(tr("training"), chart);
    m_trainingSet->setColor(QColor(QStringLiteral("#9e9e9e")));
    auto *series = new QBarSeries(chart);
    series->append(m_servedSet);
    series->append(m_trainingSet);
    chart->addSeries(series);
    auto *classes = new QBarCategoryAxis(chart);
    for (int c = 0; c < storage::ServedClasses; ++c) {
        classes->append(QString::number(c));
    }
    chart->addAxis(classes, Qt::AlignBottom);
    series->attachAxis(classes);
    m_classAxis = new QValueAxis(chart);
    m_classAxis->setTitleText(tr("% of answers"));
    m_classAxis->setRange(0, 20);
    chart->addAxis(m_classAxis, Qt::AlignLeft);
    series->attachAxis(m_classAxis);
    return makeChartView(chart, QStringLiteral("driftClassChart"), this);
}

QWidget *MonitoringView::makeConfidenceChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Calibrated confidence of the answers"));
    chart->legend()->hide();
    m_confidenceSet = new QBarSet(tr("answers"), chart);
    m_confidenceSet->setColor(seriesColor(palette(), QColor(QStringLiteral("#2e7d32"))));
    auto *series = new QBarSeries(chart);
    series->setBarWidth(0.9);
    series->append(m_confidenceSet);
    chart->addSeries(series);
    // Bar b stands at b; each label spans four bins of 5% (twenty labels do not fit).
    auto *bins = new QCategoryAxis(chart);
    bins->setStartValue(-0.5);
    for (int first = 0; first < storage::ConfidenceBins; first += 4) {
        bins->append(QStringLiteral("%1–%2").arg(first * 5).arg((first + 4) * 5), first + 3.5);
    }
    bins->setRange(-0.5, storage::ConfidenceBins - 0.5);
    bins->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    bins->setTitleText(tr("calibrated confidence, %"));
    chart->addAxis(bins, Qt::AlignBottom);
    series->attachAxis(bins);
    m_confidenceAxis = new QValueAxis(chart);
    m_confidenceAxis->setTitleText(tr("answers"));
    m_confidenceAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_confidenceAxis, Qt::AlignLeft);
    series->attachAxis(m_confidenceAxis);
    return makeChartView(chart, QStringLiteral("driftConfidenceChart"), this);
}

QWidget *MonitoringView::makeTimeChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Low-confidence rate and out-of-distribution share over time"));
    m_timeAxis = new QDateTimeAxis(chart);
    m_timeAxis->setFormat(QStringLiteral("MM-dd HH:mm"));
    m_timeAxis->setTickCount(6);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_rateAxis = new QValueAxis(chart);
    m_rateAxis->setTitleText(tr("% of answers"));
    m_rateAxis->setRange(0, 100);
    chart->addAxis(m_rateAxis, Qt::AlignLeft);
    const auto add = [&](const QString &name, const QColor &color, Qt::PenStyle style) {
        auto *series = new QLineSeries(chart);
        series->setName(name);
        QPen pen(color, 2);
        pen.setStyle(style);
        series->setPen(pen);
        series->setPointsVisible(style == Qt::SolidLine); // a window of one bucket is a dot
        chart->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_rateAxis);
        return series;
    };
    m_lowConfidence = add(tr("low confidence"),
                          seriesColor(palette(), QColor(QStringLiteral("#ef6c00"))), Qt::SolidLine);
    m_oodShare = add(tr("not digit-like"),
                     seriesColor(palette(), QColor(QStringLiteral("#6a1b9a"))), Qt::SolidLine);
    m_oodThreshold = add(tr("alert threshold"),
                         seriesColor(palette(), QColor(QStringLiteral("#b00020"))), Qt::DashLine);
    return makeChartView(chart, QStringLiteral("driftTimeChart"), this);
}

void MonitoringView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer.start();
}

void MonitoringView::hideEvent(QHideEvent *event)
{
    m_timer.stop();
    QWidget::hideEvent(event);
}

void MonitoringView::setWindow(const QString &window)
{
    const int index = m_window->findData(window);
    if (index >= 0) {
        m_window->setCurrentIndex(index);
    }
}

void MonitoringView::refresh()
{
    const qint64 seconds = windowSeconds(m_window->currentData().toString());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Q_EMIT requestReport(now.addSecs(-seconds));
    Q_EMIT requestShadow(now.addSecs(-seconds), now);
}

QString MonitoringView::bannerText() const
{
    return m_banner->text();
}

bool MonitoringView::bannerShown() const
{
    return !m_banner->isHidden();
}

QString MonitoringView::figuresText() const
{
    return m_figures->text();
}

void MonitoringView::handleFailure(const QString &reason)
{
    m_figures->setText(tr("Drift figures could not be read: %1").arg(reason));
}

void MonitoringView::handleReport(const annotation::DriftReport &report)
{
    m_report = report;
    const QLocale locale;
    const QStringList alerts = report.alerts();
    m_banner->setText(alerts.join(QLatin1Char('\n')));
    m_banner->setVisible(!alerts.isEmpty());

    QStringList lines;
    if (report.modelId == 0) {
        lines << tr("No production model: nothing is served yet.");
    } else {
        lines << tr("Model %1 answered %2 images in this window%3.")
                     .arg(report.modelId)
                     .arg(locale.toString(report.answers))
                     .arg(report.otherModelAnswers > 0
                              ? tr(" (%1 more by other models: earlier production models, a canary "
                                   "or a pinned "
                                   "version; left out)")
                                    .arg(locale.toString(report.otherModelAnswers))
                              : QString());
    }
    const auto check = [](const annotation::DriftCheck &c, bool asPercent) {
        if (!c.value) {
            return tr("unknown (%1)").arg(c.unknownBecause);
        }
        const QString value = asPercent ? percent(*c.value) : QString::number(*c.value, 'f', 3);
        const QString threshold =
            asPercent ? percent(c.threshold) : QString::number(c.threshold, 'f', 2);
        return tr("%1 (alert above %2)%3")
            .arg(value, threshold, c.crossed ? tr(" — crossed") : QString());
    };
    lines << tr("Population stability index against %1: %2")
                 .arg(report.trainingVersion.isEmpty() ? tr("the training version")
                                                       : report.trainingVersion,
                      check(report.psi, false));
    if (report.chiSquare) {
        lines << tr("Chi-square %1 with %2 degrees of freedom, %3")
                     .arg(report.chiSquare->statistic, 0, 'f', 1)
                     .arg(report.chiSquare->degreesOfFreedom)
                     .arg(annotation::formatPValue(report.chiSquare->pValue));
    }
    lines << tr("Not digit-like: %1 · low confidence (under %2): %3")
                 .arg(check(report.oodShare, true), percent(report.lowConfidenceBelow),
                      percent(report.lowConfidenceRate()));
    if (!report.enoughAnswers && report.answers > 0) {
        lines << tr("Fewer than %1 answers: too few to call a threshold crossed.")
                     .arg(annotation::DriftMonitor::MinimumAnswers);
    }
    m_figures->setText(lines.join(QLatin1Char('\n')));

    qint64 served = 0;
    qint64 trained = 0;
    for (int c = 0; c < storage::ServedClasses; ++c) {
        served += report.served[static_cast<size_t>(c)];
        trained += report.training[static_cast<size_t>(c)];
    }
    double highest = 0;
    QList<qreal> servedShares;
    QList<qreal> trainingShares;
    for (int c = 0; c < storage::ServedClasses; ++c) {
        const auto share = [](qint64 part, qint64 whole) {
            return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
        };
        const double s = share(report.served[static_cast<size_t>(c)], served);
        const double t = share(report.training[static_cast<size_t>(c)], trained);
        servedShares << s;
        trainingShares << t;
        highest = std::max({highest, s, t});
    }
    m_servedSet->remove(0, m_servedSet->count());
    m_servedSet->append(servedShares);
    m_trainingSet->remove(0, m_trainingSet->count());
    m_trainingSet->append(trainingShares);
    m_classAxis->setRange(0, std::max(10.0, std::ceil(highest / 5) * 5));

    QList<qreal> bins;
    qint64 most = 1;
    for (qint64 count : report.confidenceHistogram) {
        bins << static_cast<qreal>(count);
        most = std::max(most, count);
    }
    m_confidenceSet->remove(0, m_confidenceSet->count());
    m_confidenceSet->append(bins);
    m_confidenceAxis->setRange(0, static_cast<qreal>(most) * 1.05);
    m_confidenceAxis->applyNiceNumbers();

    QList<QPointF> low;
    QList<QPointF> ood;
    for (const annotation::DriftBucket &bucket : report.overTime) {
        if (bucket.answers == 0) {
            continue;
        }
        const auto x = static_cast<qreal>(bucket.start.toMSecsSinceEpoch());
        low.append({x, bucket.lowConfidenceRate() * 100});
        ood.append({x, bucket.oodShare() * 100});
    }
    m_lowConfidence->replace(low);
    m_oodShare->replace(ood);
    const auto begin = static_cast<qreal>(report.since.toMSecsSinceEpoch());
    const auto end = static_cast<qreal>(report.until.toMSecsSinceEpoch());
    m_oodThreshold->replace(
        {{begin, report.oodShare.threshold * 100}, {end, report.oodShare.threshold * 100}});
    m_timeAxis->setRange(report.since.toLocalTime(), report.until.toLocalTime());
    Q_EMIT reportShown();
}

} // namespace digitdesk::ui
