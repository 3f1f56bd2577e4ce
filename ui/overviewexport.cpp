#include "ui/overviewexport.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace digitdesk::ui::overviewexport {
namespace {

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

QString percent(double share, int decimals = 1)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', decimals);
}

QString isoSpan(const annotation::OverviewFigures &figures)
{
    return figures.firstDay.toString(Qt::ISODate) + QStringLiteral("..") +
           figures.lastDay.toString(Qt::ISODate);
}

std::optional<QString> saveBytes(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return QObject::tr("cannot write %1: %2").arg(path, file.errorString());
    }
    return std::nullopt;
}

// The key figures of the report, as label and value.
std::vector<std::pair<QString, QString>> keyFigures(const annotation::OverviewFigures &figures)
{
    const QLocale locale;
    std::vector<std::pair<QString, QString>> rows;
    const QStringList annotators = figures.annotators();
    const int days = static_cast<int>(figures.firstDay.daysTo(figures.lastDay)) + 1;
    int atTarget = 0;
    for (const annotation::DailyLabels &day : figures.labelsPerDay) {
        atTarget += day.labels >= figures.dailyTarget ? 1 : 0;
    }
    rows.emplace_back(QObject::tr("Labels given"), QObject::tr("%1 by %2 annotator(s) over %3 days")
                                                       .arg(locale.toString(figures.totalLabels()))
                                                       .arg(annotators.size())
                                                       .arg(days));
    rows.emplace_back(QObject::tr("Daily target"),
                      QObject::tr("%1 labels per annotator; met on %2 annotator-day(s)")
                          .arg(locale.toString(figures.dailyTarget))
                          .arg(atTarget));
    int goldAnswered = 0;
    int goldRight = 0;
    for (const annotation::WeeklyQuality &week : figures.quality) {
        goldAnswered += week.goldAnswered;
        goldRight += week.goldRight;
    }
    rows.emplace_back(QObject::tr("Gold accuracy"),
                      goldAnswered > 0
                          ? QObject::tr("%1 of %2 gold items right (%3)")
                                .arg(goldRight)
                                .arg(goldAnswered)
                                .arg(percent(static_cast<double>(goldRight) / goldAnswered))
                          : QObject::tr("no gold item answered"));
    rows.emplace_back(QObject::tr("Queue (now)"),
                      QObject::tr("%1 image(s) waiting; the oldest for %2")
                          .arg(locale.toString(figures.queueDepth))
                          .arg(formatAge(figures.oldestItemAgeSeconds)));
    rows.emplace_back(QObject::tr("Review backlog (now)"),
                      QObject::tr("%1 image(s)").arg(locale.toString(figures.reviewBacklog)));
    QStringList waiting;
    for (qint64 id : figures.releasesWaiting) {
        waiting << QString::number(id);
    }
    rows.emplace_back(QObject::tr("Releases waiting (now)"),
                      waiting.isEmpty() ? QObject::tr("none")
                                        : QObject::tr("%1: model(s) %2")
                                              .arg(waiting.size())
                                              .arg(waiting.join(QStringLiteral(", "))));
    const auto best = std::max_element(
        figures.models.begin(), figures.models.end(),
        [](const auto &a, const auto &b) { return a.heldOutAccuracy < b.heldOutAccuracy; });
    rows.emplace_back(QObject::tr("Best held-out accuracy"),
                      best == figures.models.end()
                          ? QObject::tr("no model trained on a dataset version")
                          : QObject::tr("%1, model %2 on %3")
                                .arg(percent(best->heldOutAccuracy, 2))
                                .arg(best->modelId)
                                .arg(best->datasetTag));
    const annotation::ServingSloSummary &slo = figures.slo;
    rows.emplace_back(
        QObject::tr("Serving"),
        slo.availability
            ? QObject::tr("%1 available over %2 requests (objective %3); %4 of "
                          "the error budget left")
                  .arg(percent(*slo.availability, 3))
                  .arg(locale.toString(slo.requests))
                  .arg(percent(annotation::ServingSloSummary::AvailabilityObjective, 2))
                  .arg(percent(slo.budgetLeft, 0))
            : QObject::tr("no requests served"));
    return rows;
}

// Labels per day per annotator as lines, with the daily target dashed, inside `area`.
void drawLabelsChart(QPainter &painter, const QRectF &area,
                     const annotation::OverviewFigures &figures)
{
    const QStringList annotators = figures.annotators();
    const int days = static_cast<int>(figures.firstDay.daysTo(figures.lastDay)) + 1;
    int highest = figures.dailyTarget;
    for (const annotation::DailyLabels &day : figures.labelsPerDay) {
        highest = std::max(highest, day.labels);
    }
    // Four grid steps of 1, 2 or 5 times a power of ten, above the highest value.
    const double rough = std::max(1.0, highest * 1.05 / 4);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    const double step = rough <= power       ? power
                        : rough <= 2 * power ? 2 * power
                        : rough <= 5 * power ? 5 * power
                                             : 10 * power;
    const double top = step * 4;
    const QFontMetricsF metrics(painter.font());
    const double legendHeight = metrics.height() * 1.4;
    const QRectF plot = area.adjusted(metrics.horizontalAdvance(QStringLiteral("00000")), 0, 0,
                                      -metrics.height() * 1.6 - legendHeight);
    const auto x = [&](int dayIndex) {
        return plot.left() + plot.width() * (dayIndex + 0.5) / std::max(1, days);
    };
    const auto y = [&](double value) {
        return plot.bottom() - plot.height() * value / top;
    };

    painter.setPen(QPen(Qt::lightGray, 0));
    for (int step = 0; step <= 4; ++step) {
        const double value = top * step / 4;
        painter.drawLine(QPointF(plot.left(), y(value)), QPointF(plot.right(), y(value)));
        painter.setPen(Qt::black);
        painter.drawText(QRectF(area.left(), y(value) - metrics.height() / 2,
                                plot.left() - area.left() - 4, metrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, QString::number(std::lround(value)));
        painter.setPen(QPen(Qt::lightGray, 0));
    }
    painter.setPen(Qt::black);
    painter.drawRect(plot);
    for (int dayIndex = 0; dayIndex < days; dayIndex += std::max(1, days / 10)) {
        painter.drawText(QRectF(x(dayIndex) - 40, plot.bottom() + 2, 80, metrics.height()),
                         Qt::AlignHCenter | Qt::AlignTop,
                         figures.firstDay.addDays(dayIndex).toString(QStringLiteral("MM-dd")));
    }
    QPen target(QColor(QStringLiteral("#b00020")), 2, Qt::DashLine);
    painter.setPen(target);
    painter.drawLine(QPointF(plot.left(), y(figures.dailyTarget)),
                     QPointF(plot.right(), y(figures.dailyTarget)));
    double legendX = plot.left();
    const double legendY = plot.bottom() + metrics.height() * 1.6;
    const auto legend = [&](const QPen &pen, const QString &name) {
        painter.setPen(pen);
        painter.drawLine(QPointF(legendX, legendY + legendHeight / 2),
                         QPointF(legendX + 30, legendY + legendHeight / 2));
        painter.setPen(Qt::black);
        const QString shown = metrics.elidedText(name, Qt::ElideMiddle, 220);
        painter.drawText(QPointF(legendX + 36, legendY + metrics.ascent()), shown);
        legendX += 48 + metrics.horizontalAdvance(shown);
    };
    for (int a = 0; a < annotators.size(); ++a) {
        QPen pen(seriesColor(a), 2);
        painter.setPen(pen);
        QPolygonF line;
        for (int dayIndex = 0; dayIndex < days; ++dayIndex) {
            line << QPointF(x(dayIndex),
                            y(figures.labelsOn(figures.firstDay.addDays(dayIndex), annotators[a])));
        }
        painter.drawPolyline(line);
        if (legendX < plot.right() - 100) {
            legend(pen, annotators[a]);
        }
    }
    legend(target, QObject::tr("daily target"));
}

} // namespace

QString spanName(const annotation::OverviewFigures &figures)
{
    const QDate &first = figures.firstDay;
    if (first.day() == 1 && figures.lastDay == first.addMonths(1).addDays(-1)) {
        return QLocale().toString(first, QStringLiteral("MMMM yyyy"));
    }
    return first.toString(Qt::ISODate) + QStringLiteral(" – ") +
           figures.lastDay.toString(Qt::ISODate);
}

QString formatAge(qint64 seconds)
{
    if (seconds < 0) {
        return QObject::tr("none");
    }
    const qint64 minutes = seconds / 60;
    if (minutes < 60) {
        return QObject::tr("%1 min").arg(minutes);
    }
    if (minutes < 24 * 60) {
        return QObject::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    }
    return QObject::tr("%1 d %2 h").arg(minutes / (24 * 60)).arg(minutes / 60 % 24);
}

QColor seriesColor(int index)
{
    static const QList<QColor> palette = {
        QColor(QStringLiteral("#1565c0")), QColor(QStringLiteral("#ef6c00")),
        QColor(QStringLiteral("#2e7d32")), QColor(QStringLiteral("#6a1b9a")),
        QColor(QStringLiteral("#00838f")), QColor(QStringLiteral("#ad1457")),
        QColor(QStringLiteral("#795548")), QColor(QStringLiteral("#546e7a"))};
    return palette.at(index % palette.size());
}

QString csv(const annotation::OverviewFigures &figures)
{
    QStringList lines{QStringLiteral("figure,period,who,value")};
    const auto row = [&lines](const QString &figure, const QString &period, const QString &who,
                              const QString &value) {
        lines << QStringList{csvField(figure), csvField(period), csvField(who), csvField(value)}
                     .join(QLatin1Char(','));
    };
    for (const annotation::DailyLabels &day : figures.labelsPerDay) {
        row(QStringLiteral("labels"), day.day.toString(Qt::ISODate), day.annotator,
            QString::number(day.labels));
    }
    for (const annotation::WeeklyQuality &week : figures.quality) {
        const QString monday = week.week.toString(Qt::ISODate);
        row(QStringLiteral("gold_answered"), monday, week.annotator,
            QString::number(week.goldAnswered));
        if (week.goldAccuracy >= 0) {
            row(QStringLiteral("gold_accuracy"), monday, week.annotator, number(week.goldAccuracy));
        }
        row(QStringLiteral("reviewed"), monday, week.annotator, QString::number(week.reviewed));
        if (week.kappa) {
            row(QStringLiteral("kappa_with_reviewers"), monday, week.annotator,
                number(*week.kappa));
        }
    }
    for (const annotation::VersionAccuracy &model : figures.models) {
        row(QStringLiteral("held_out_accuracy"), model.datasetTag,
            QStringLiteral("model %1").arg(model.modelId), number(model.heldOutAccuracy));
    }
    const QString span = isoSpan(figures);
    row(QStringLiteral("daily_target"), span, {}, QString::number(figures.dailyTarget));
    row(QStringLiteral("serving_requests"), span, {}, QString::number(figures.slo.requests));
    row(QStringLiteral("serving_bad_requests"), span, {}, QString::number(figures.slo.bad));
    if (figures.slo.availability) {
        row(QStringLiteral("availability"), span, {}, number(*figures.slo.availability));
    }
    row(QStringLiteral("error_budget_left"), span, {}, number(figures.slo.budgetLeft));
    const QString now = figures.readAt.toString(Qt::ISODate);
    row(QStringLiteral("queue_depth"), now, {}, QString::number(figures.queueDepth));
    row(QStringLiteral("oldest_item_age_seconds"), now, {},
        QString::number(figures.oldestItemAgeSeconds));
    row(QStringLiteral("review_backlog"), now, {}, QString::number(figures.reviewBacklog));
    for (qint64 id : figures.releasesWaiting) {
        row(QStringLiteral("release_waiting"), now, QStringLiteral("model %1").arg(id),
            QStringLiteral("pending validation"));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

std::optional<QString> writeCsv(const annotation::OverviewFigures &figures, const QString &path)
{
    return saveBytes(path, csv(figures).toUtf8());
}

std::optional<QString> writePdf(const annotation::OverviewFigures &figures, const QString &path,
                                const QString &workspaceName)
{
    {
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly)) {
            return QObject::tr("cannot write %1: %2").arg(path, probe.errorString());
        }
    }
    QPdfWriter writer(path);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    writer.setResolution(144);
    writer.setTitle(QObject::tr("DigitDesk team report, %1").arg(spanName(figures)));
    writer.setCreator(QStringLiteral("DigitDesk"));
    QPainter painter;
    if (!painter.begin(&writer)) {
        return QObject::tr("cannot write %1: the PDF could not be started").arg(path);
    }
    painter.setRenderHint(QPainter::Antialiasing);
    const double width = writer.width();
    const double height = writer.height();
    QFont font = painter.font();
    font.setPointSizeF(9);
    QFont title = font;
    title.setPointSizeF(16);
    title.setBold(true);
    QFont heading = font;
    heading.setPointSizeF(11);
    heading.setBold(true);

    double y = 0;
    const auto text = [&](const QFont &f, const QString &line, double indent = 0) {
        painter.setFont(f);
        const QFontMetricsF metrics(f);
        painter.drawText(QRectF(indent, y, width - indent, metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(line, Qt::ElideMiddle, width - indent));
        y += metrics.height() * 1.3;
    };
    text(title, QObject::tr("Team report, %1").arg(spanName(figures)));
    text(font,
         QObject::tr("Workspace %1 · figures read %2 UTC · days are UTC days")
             .arg(workspaceName, figures.readAt.toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    y += 8;
    text(heading, QObject::tr("Key figures"));
    painter.setFont(font);
    const QFontMetricsF metrics(font);
    for (const auto &[label, value] : keyFigures(figures)) {
        const QRectF valueRect(width * 0.3, y, width * 0.7, height);
        const QRectF used =
            painter.boundingRect(valueRect, Qt::AlignLeft | Qt::TextWordWrap, value);
        painter.drawText(QRectF(0, y, width * 0.3, metrics.height()), Qt::AlignLeft, label);
        painter.drawText(valueRect, Qt::AlignLeft | Qt::TextWordWrap, value);
        y += used.height() + metrics.height() * 0.35;
    }
    y += 8;
    text(heading, QObject::tr("Labels per day per annotator"));
    painter.setFont(font);
    if (figures.labelsPerDay.empty()) {
        text(font, QObject::tr("No labels in this span."));
    } else {
        const double chartHeight = height * 0.32;
        drawLabelsChart(painter, QRectF(0, y, width, chartHeight), figures);
        y += chartHeight + 12;
    }
    text(heading, QObject::tr("Quality per week: gold accuracy and Cohen's κ with reviewers"));
    painter.setFont(font);
    const std::array<double, 5> columns = {0, 0.18, 0.5, 0.72, 0.86};
    const QStringList headers = {QObject::tr("Week of"), QObject::tr("Annotator"),
                                 QObject::tr("Gold accuracy"), QObject::tr("κ"),
                                 QObject::tr("Reviewed")};
    const double rowHeight = metrics.height() * 1.3;
    const auto cells = [&](const QStringList &values) {
        for (size_t c = 0; c < columns.size(); ++c) {
            const double left = width * columns[c];
            const double right = c + 1 < columns.size() ? width * columns[c + 1] : width;
            painter.drawText(QRectF(left, y, right - left - 6, metrics.height()), Qt::AlignLeft,
                             metrics.elidedText(values.value(static_cast<qsizetype>(c)),
                                                Qt::ElideMiddle, right - left - 6));
        }
        y += rowHeight;
    };
    if (figures.quality.empty()) {
        text(font, QObject::tr("No gold answers or reviewed labels in this span."));
    } else {
        cells(headers);
        const auto fits = static_cast<size_t>(std::max(1.0, (height - y) / rowHeight - 1));
        const size_t shown = figures.quality.size() <= fits ? figures.quality.size() : fits - 1;
        for (size_t i = 0; i < shown; ++i) {
            const annotation::WeeklyQuality &week = figures.quality[i];
            cells({week.week.toString(Qt::ISODate), week.annotator,
                   week.goldAccuracy >= 0 ? QObject::tr("%1 (%2/%3)")
                                                .arg(percent(week.goldAccuracy))
                                                .arg(week.goldRight)
                                                .arg(week.goldAnswered)
                                          : QObject::tr("—"),
                   week.kappa ? QString::number(*week.kappa, 'f', 2) : QObject::tr("—"),
                   QString::number(week.reviewed)});
        }
        if (shown < figures.quality.size()) {
            text(font, QObject::tr("… %1 more row(s) in the CSV export.")
                           .arg(figures.quality.size() - shown));
        }
    }
    if (!painter.end()) {
        return QObject::tr("cannot write %1: the PDF could not be finished").arg(path);
    }
    if (QFileInfo(path).size() == 0) {
        return QObject::tr("cannot write %1: nothing was written").arg(path);
    }
    return std::nullopt;
}

} // namespace digitdesk::ui::overviewexport
