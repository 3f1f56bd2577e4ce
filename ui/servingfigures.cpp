#include "ui/servingfigures.h"

#include "annotation/servingmetricnames.h"
#include "ui/appearance.h"

#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <chrono>
#include <cmath>
#include <optional>

namespace digitdesk::ui {
namespace {

namespace metric = annotation::metric;

const QString Dash = QStringLiteral("–");
// Alerts are white on these, legible on either palette; figures take the palette's tones.
const QString AlarmBackground = QStringLiteral("#b00020");
const QString WarningBackground = QStringLiteral("#a84300");

QString red()
{
    return toneColor(Tone::Error).name();
}

QString orange()
{
    return toneColor(Tone::Warning).name();
}

QString green()
{
    return toneColor(Tone::Success).name();
}

QString seconds(double value)
{
    if (std::isnan(value)) {
        return Dash;
    }
    if (value < 1.0) {
        const double ms = value * 1000.0;
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', ms < 10 ? 1 : 0);
    }
    return QStringLiteral("%1 s").arg(value, 0, 'f', 2);
}

QString percent(double fraction, int decimals)
{
    return QStringLiteral("%1%").arg(fraction * 100.0, 0, 'f', decimals);
}

// The share of the error budget's period that burning at `rate` for `window` spends.
double budgetSpent(double rate, std::chrono::minutes window)
{
    return rate * std::chrono::duration<double>(window) / annotation::slo::Horizon;
}

void colour(QLabel *label, const QString &color)
{
    label->setStyleSheet(
        color.isEmpty()
            ? QStringLiteral("font-size: 18pt; font-weight: bold;")
            : QStringLiteral("font-size: 18pt; font-weight: bold; color: %1;").arg(color));
}

// A big number with its caption above it, placed in a grid cell.
QLabel *addFigure(QWidget *parent, QGridLayout *grid, int row, int column, const QString &caption,
                  const QString &objectName, const QString &help)
{
    auto *box = new QFrame(parent);
    box->setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(box);
    auto *title = new QLabel(caption, box);
    title->setObjectName(objectName + QStringLiteral("Caption"));
    title->setStyleSheet(toneStyle(Tone::Muted));
    auto *value = new QLabel(Dash, box);
    value->setObjectName(objectName);
    colour(value, {});
    box->setToolTip(help);
    layout->addWidget(title);
    layout->addWidget(value);
    grid->addWidget(box, row, column);
    return value;
}

QString availabilityText(const SloWindow &window)
{
    const std::optional<double> availability = window.availability();
    return availability ? percent(*availability, 3) : QObject::tr("no traffic");
}

QString availabilityColour(const SloWindow &window)
{
    const std::optional<double> availability = window.availability();
    if (!availability) {
        return {};
    }
    return *availability < SloTracker::AvailabilityObjective ? red() : green();
}

QString burnColour(double burn)
{
    if (burn > SloTracker::PageBurnRate) {
        return red();
    }
    return burn > SloTracker::TicketBurnRate ? orange() : QString();
}

} // namespace

ServingFigures::ServingFigures(QWidget *parent)
    : QWidget(parent), m_page(new QLabel(this)), m_ticket(new QLabel(this)),
      m_counters(new QLabel(this))
{
    auto *figures = new QGridLayout;
    m_rate = addFigure(this, figures, 0, 0, tr("Request rate (10 s)"), QStringLiteral("sloRate"),
                       tr("Inference requests per second"));
    m_p50 = addFigure(this, figures, 0, 1, tr("Latency p50 (60 s)"), QStringLiteral("sloP50"),
                      tr("Median request duration"));
    m_p95 = addFigure(this, figures, 0, 2, tr("Latency p95 (60 s)"), QStringLiteral("sloP95"),
                      tr("95th percentile request duration"));
    m_p99 = addFigure(this, figures, 0, 3, tr("Latency p99 (60 s)"), QStringLiteral("sloP99"),
                      tr("99th percentile request duration; objective: under 2 s"));
    m_errorRate =
        addFigure(this, figures, 0, 4, tr("Error rate (last 60 s)"), QStringLiteral("sloErrorRate"),
                  tr("Inference requests answered 5xx or slower than 2 s, of all "
                     "inference requests in the last 60 s; a request the client got "
                     "wrong (4xx) is not an error of the endpoint"));
    m_errorDetail = new QLabel(m_errorRate->parentWidget());
    m_errorDetail->setObjectName(QStringLiteral("sloErrorDetail"));
    m_errorDetail->setStyleSheet(toneStyle(Tone::Muted));
    m_errorDetail->setWordWrap(true);
    m_errorRate->parentWidget()->layout()->addWidget(m_errorDetail);
    m_availability1h = addFigure(this, figures, 1, 0, tr("Availability 1 h"),
                                 QStringLiteral("sloAvailability1h"), tr("Objective: 99.99%"));
    m_availability1d = addFigure(this, figures, 1, 1, tr("Availability 1 day"),
                                 QStringLiteral("sloAvailability1d"), tr("Objective: 99.99%"));
    m_availability30d = addFigure(this, figures, 1, 2, tr("Availability 30 days"),
                                  QStringLiteral("sloAvailability30d"), tr("Objective: 99.99%"));
    m_budget = addFigure(this, figures, 1, 3, tr("Error budget left (30 days)"),
                         QStringLiteral("sloBudget"),
                         tr("99.99% over 30 days allows 1 bad request in 10,000"));
    const QString burnHelp = tr("1× spends the budget in exactly 30 days");
    m_burn5m = addFigure(this, figures, 2, 0, tr("Burn rate 5 min"), QStringLiteral("sloBurn5m"),
                         burnHelp);
    m_burn30m = addFigure(this, figures, 2, 1, tr("Burn rate 30 min"), QStringLiteral("sloBurn30m"),
                          burnHelp);
    m_burn1h =
        addFigure(this, figures, 2, 2, tr("Burn rate 1 h"), QStringLiteral("sloBurn1h"), burnHelp);
    m_burn6h =
        addFigure(this, figures, 2, 3, tr("Burn rate 6 h"), QStringLiteral("sloBurn6h"), burnHelp);
    m_page->setObjectName(QStringLiteral("sloPage"));
    m_page->setToolTip(
        tr("Page when the 1 h and the 5 min burn rates are both above %1× "
           "(%2 of the 30-day budget in one hour)")
            .arg(SloTracker::PageBurnRate)
            .arg(percent(budgetSpent(SloTracker::PageBurnRate, annotation::slo::PageLongWindow),
                         0)));
    m_ticket->setObjectName(QStringLiteral("sloTicket"));
    m_ticket->setToolTip(
        tr("Ticket when the 6 h and the 30 min burn rates are both above %1× "
           "(%2 of the 30-day budget in six hours)")
            .arg(SloTracker::TicketBurnRate)
            .arg(percent(budgetSpent(SloTracker::TicketBurnRate, annotation::slo::TicketLongWindow),
                         0)));
    auto *alerts = new QVBoxLayout;
    alerts->addWidget(m_page);
    alerts->addWidget(m_ticket);
    figures->addLayout(alerts, 1, 4, 2, 1);

    m_counters->setObjectName(QStringLiteral("servingCounters"));
    m_counters->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(figures);
    layout->addWidget(m_counters);
    clearFigures();
}

void ServingFigures::clearFigures()
{
    for (QLabel *label :
         {m_rate, m_p50, m_p95, m_p99, m_errorRate, m_availability1h, m_availability1d,
          m_availability30d, m_budget, m_burn5m, m_burn30m, m_burn1h, m_burn6h}) {
        label->setText(Dash);
        colour(label, {});
    }
    m_page->setText(tr("page: –"));
    m_ticket->setText(tr("ticket: –"));
    m_page->setStyleSheet({});
    m_ticket->setStyleSheet({});
    m_counters->clear();
    m_errorDetail->clear();
}

void ServingFigures::showFigures(const SloFigures &figures,
                                 const annotation::MetricsSnapshot &latest)
{
    if (!figures.hasData) {
        clearFigures();
        return;
    }
    const SloPoint &now = figures.now;
    m_rate->setText(tr("%1 req/s").arg(now.rate, 0, 'f', now.rate < 10 ? 2 : 1));
    m_p50->setText(seconds(now.p50));
    m_p95->setText(seconds(now.p95));
    m_p99->setText(seconds(now.p99));
    colour(m_p99,
           std::isnan(now.p99) ? QString() : (figures.latencyObjectiveMet() ? green() : red()));
    const QString noRequests = tr("no requests in the last 60 s");
    for (QLabel *label : {m_p50, m_p95, m_p99}) {
        label->setToolTip(std::isnan(now.p50) ? noRequests : QString());
    }
    m_errorRate->setText(percent(now.errorRate, 2));
    m_errorDetail->setText(tr("%1 of %2 requests answered 5xx or slower than 2 s")
                               .arg(static_cast<qint64>(now.windowBad))
                               .arg(static_cast<qint64>(now.windowRequests)));
    colour(m_errorRate, now.errorRate > SloTracker::ErrorBudget ? red() : QString());

    m_availability1h->setText(availabilityText(figures.window1h));
    colour(m_availability1h, availabilityColour(figures.window1h));
    m_availability1d->setText(availabilityText(figures.window1d));
    colour(m_availability1d, availabilityColour(figures.window1d));
    m_availability30d->setText(availabilityText(figures.window30d));
    colour(m_availability30d, availabilityColour(figures.window30d));
    m_budget->setText(tr("%1 left").arg(percent(figures.budgetLeft, 1)));
    colour(m_budget,
           figures.budgetLeft < 0 ? red() : (figures.budgetLeft < 0.25 ? orange() : green()));
    const auto burn = [](QLabel *label, double value) {
        label->setText(QStringLiteral("%1×").arg(value, 0, 'f', value < 10 ? 2 : 1));
        colour(label, burnColour(value));
    };
    burn(m_burn5m, figures.burn5m);
    burn(m_burn30m, figures.burn30m);
    burn(m_burn1h, figures.burn1h);
    burn(m_burn6h, figures.burn6h);
    const QString firing =
        QStringLiteral("color: white; background: %1; padding: 6px; font-weight: bold;");
    const QString quiet = QStringLiteral("color: %1; padding: 6px;").arg(green());
    m_page->setText(
        figures.page
            ? tr("PAGE: the budget burns over %1× (1 h and 5 min)").arg(SloTracker::PageBurnRate)
            : tr("page: no fast burn"));
    m_page->setStyleSheet(figures.page ? firing.arg(AlarmBackground) : quiet);
    m_ticket->setText(figures.ticket ? tr("TICKET: the budget burns over %1× (6 h and 30 min)")
                                           .arg(SloTracker::TicketBurnRate)
                                     : tr("ticket: no slow burn"));
    m_ticket->setStyleSheet(figures.ticket ? firing.arg(WarningBackground) : quiet);
    showCounters(latest);
}

void ServingFigures::showCounters(const annotation::MetricsSnapshot &latest)
{
    const auto count = [&latest](const QString &name,
                                 const annotation::MetricsSnapshot::Labels &labels = {}) {
        const double value = latest.value(name, labels);
        return std::isfinite(value) && std::abs(value) < 1e15
                   ? QString::number(static_cast<qint64>(value))
                   : Dash;
    };
    const QString failure = metric::name(metric::RequestFailure);
    const QString reason = QStringLiteral("reason");
    const double executions = latest.value(metric::name(metric::ExecutionCount));
    const double inferences = latest.value(metric::name(metric::InferenceCount));
    // "Failed" includes requests the client got wrong; the error rate counts server errors and
    // slow answers only, so each says what it counts.
    const QStringList parts{
        tr("%1 inference requests")
            .arg(count(metric::name(metric::RequestDuration, metric::CountSuffix))),
        tr("%1 succeeded").arg(count(metric::name(metric::RequestSuccess))),
        tr("%1 failed (%2 rejected with the queue full, %3 model errors, %4 other: bad input, "
           "refused or no model)")
            .arg(count(failure), count(failure, {{reason, QStringLiteral("REJECTED")}}),
                 count(failure, {{reason, QStringLiteral("BACKEND")}}),
                 count(failure, {{reason, QStringLiteral("OTHER")}})),
        tr("%1 answered 5xx or slower than 2 s (what the error rate counts)")
            .arg(count(metric::name(metric::SloBadTotal))),
        tr("%1 pending").arg(count(metric::name(metric::PendingRequests))),
        tr("%1 images in %2 batches (mean %3)")
            .arg(QString::number(static_cast<qint64>(inferences)),
                 QString::number(static_cast<qint64>(executions)),
                 executions > 0 ? QString::number(inferences / executions, 'f', 1) : Dash),
        tr("%1 captured for annotation").arg(count(metric::name(metric::CaptureStored))),
        tr("%1 model load failures").arg(count(metric::name(metric::ModelLoadFailures)))};
    m_counters->setText(tr("Since start: %1").arg(parts.join(QStringLiteral(" · "))));
}

} // namespace digitdesk::ui
