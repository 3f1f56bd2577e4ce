#include "ui/comparisonpane.h"

#include "ui/chartpalette.h"
#include "ui/confusionheatmap.h"
#include "ui/imagelistmodel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QPixmap>
#include <QScatterSeries>
#include <QTableWidget>
#include <QValueAxis>

namespace digitdesk::ui {
namespace {

constexpr int ThumbnailSide = 56;

QString percent(double value)
{
    return QStringLiteral("%1%").arg(value * 100, 0, 'f', 2);
}

QString interval(const annotation::ModelFigures &figures)
{
    return QStringLiteral("%1 [%2, %3]")
        .arg(percent(figures.accuracy), percent(figures.accuracyInterval.lower),
             percent(figures.accuracyInterval.upper));
}

QTableWidgetItem *cell(const QString &text, bool numeric = true)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    return item;
}

// As the other views show images: as stored, white ink on black.
QIcon thumbnail(const QByteArray &pixels)
{
    const QImage image = ImageListModel::toImage(pixels);
    return image.isNull() ? QIcon()
                          : QIcon(QPixmap::fromImage(image.scaled(ThumbnailSide, ThumbnailSide)));
}

} // namespace

ComparisonPane::ComparisonPane(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_set(new QComboBox(this)),
      m_verdict(new QLabel(this)), m_figures(new QTableWidget(this)),
      m_perClass(new QTableWidget(this)), m_confusionA(new ConfusionHeatmap(this)),
      m_confusionB(new ConfusionHeatmap(this)), m_disagreements(new QListWidget(this)),
      m_disagreementCount(new QLabel(this))
{
    setObjectName(QStringLiteral("comparisonPane"));
    m_summary->setObjectName(QStringLiteral("comparisonSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_set->setObjectName(QStringLiteral("comparisonSet"));
    m_verdict->setObjectName(QStringLiteral("comparisonVerdict"));
    m_verdict->setTextFormat(Qt::PlainText);
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    m_figures->setObjectName(QStringLiteral("comparisonFigures"));
    m_figures->setColumnCount(6);
    m_figures->setHorizontalHeaderLabels({tr("Model"), tr("Accuracy [95% interval]"), tr("Right"),
                                          tr("ECE"), tr("Images"), tr("Learnt from")});
    m_figures->horizontalHeaderItem(5)->setToolTip(
        tr("How many of these images the model was trained on: a model that learnt from them "
           "looks better here than it is."));
    m_figures->verticalHeader()->hide();
    m_figures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_figures->setMaximumHeight(90);
    m_perClass->setObjectName(QStringLiteral("comparisonPerClass"));
    m_perClass->setColumnCount(4);
    m_perClass->setHorizontalHeaderLabels({tr("Class"), tr("Images"), tr("A"), tr("B")});
    m_perClass->verticalHeader()->hide();
    m_perClass->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_disagreements->setObjectName(QStringLiteral("comparisonDisagreements"));
    m_disagreements->setViewMode(QListView::IconMode);
    m_disagreements->setIconSize({ThumbnailSide, ThumbnailSide});
    m_disagreements->setGridSize({ThumbnailSide + 48, ThumbnailSide + 34});
    m_disagreements->setResizeMode(QListView::Adjust);
    m_disagreements->setMovement(QListView::Static);
    m_disagreements->setUniformItemSizes(true);
    m_disagreementCount->setTextFormat(Qt::PlainText);

    auto *layout = new QGridLayout(this);
    layout->addWidget(m_summary, 0, 0, 1, 3);
    layout->addWidget(m_set, 1, 0);
    layout->addWidget(m_verdict, 1, 1, 1, 2);
    layout->addWidget(m_figures, 2, 0, 1, 3);
    layout->addWidget(m_perClass, 3, 0);
    layout->addWidget(m_confusionA, 3, 1);
    layout->addWidget(m_confusionB, 3, 2);
    layout->addWidget(makeReliabilityChart(), 4, 0);
    auto *disagreements = new QWidget(this);
    auto *disagreementLayout = new QVBoxLayout(disagreements);
    disagreementLayout->setContentsMargins(0, 0, 0, 0);
    disagreementLayout->addWidget(m_disagreementCount);
    disagreementLayout->addWidget(m_disagreements, 1);
    layout->addWidget(disagreements, 4, 1, 1, 2);
    layout->setColumnStretch(0, 2);
    layout->setColumnStretch(1, 3);
    layout->setColumnStretch(2, 3);
    layout->setRowStretch(3, 3);
    layout->setRowStretch(4, 3);

    connect(m_set, &QComboBox::currentIndexChanged, this, &ComparisonPane::showSet);
    showMessage(tr("Select a model and press Compare with production, or finish a training "
                   "run: both models answer the same held-out images."));
}

QChartView *ComparisonPane::makeReliabilityChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Reliability (calibrated)"));
    auto *x = new QValueAxis(chart);
    x->setTitleText(tr("confidence"));
    x->setRange(0, 1);
    auto *y = new QValueAxis(chart);
    y->setTitleText(tr("accuracy"));
    y->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    auto *diagonal = new QLineSeries(chart);
    diagonal->setName(tr("ideal"));
    diagonal->append({{0, 0}, {1, 1}});
    QPen dashed(Qt::gray);
    dashed.setStyle(Qt::DashLine);
    diagonal->setPen(dashed);
    chart->addSeries(diagonal);
    diagonal->attachAxis(x);
    diagonal->attachAxis(y);
    m_reliabilityA = new QLineSeries(chart);
    m_reliabilityB = new QLineSeries(chart);
    for (QLineSeries *series : {m_reliabilityA, m_reliabilityB}) {
        series->setPointsVisible(true);
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    m_reliabilityA->setPen(QPen(chartBlue(palette()), 2));
    m_reliabilityB->setPen(QPen(QColor(QStringLiteral("#ef6c00")), 2));
    auto *view = new QChartView(chart, this);
    view->setObjectName(QStringLiteral("comparisonReliability"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 260);
    return view;
}

void ComparisonPane::showMessage(const QString &text)
{
    m_summary->setText(text);
}

QString ComparisonPane::summaryText() const
{
    return m_summary->text() + QLatin1Char('\n') + m_verdict->text();
}

int ComparisonPane::disagreementTiles() const
{
    return m_disagreements->count();
}

void ComparisonPane::showResult(const annotation::ModelComparisonResult &result)
{
    m_result = result;
    m_summary->setText(tr("Model %1 (A) beside model %2 (B), on dataset version %3 (%4 held-out "
                          "images) and on %5 images approved since.")
                           .arg(result.a.id)
                           .arg(result.b.id)
                           .arg(result.version.tag)
                           .arg(result.heldOut.count)
                           .arg(result.newer.count));
    const QSignalBlocker blocker(m_set);
    m_set->clear();
    m_set->addItem(tr("Held-out split of %1").arg(result.version.tag));
    m_set->addItem(tr("Approved since %1").arg(result.version.tag));
    m_set->setCurrentIndex(0);
    showSet(0);
}

const annotation::SetComparison &ComparisonPane::set(int index) const
{
    return index == 1 ? m_result.newer : m_result.heldOut;
}

void ComparisonPane::showSet(int index)
{
    const annotation::SetComparison &shown = set(index);
    m_verdict->setText(shown.count == 0 ? tr("No images in this set.") : shown.verdict);
    const QString nameA = tr("A: model %1").arg(m_result.a.id);
    const QString nameB = tr("B: model %1").arg(m_result.b.id);
    m_figures->setRowCount(2);
    int row = 0;
    for (const auto &[name, figures] : {std::pair{nameA, &shown.a}, std::pair{nameB, &shown.b}}) {
        m_figures->setItem(row, 0, cell(name, false));
        m_figures->setItem(row, 1, cell(interval(*figures)));
        m_figures->setItem(row, 2, cell(QString::number(figures->correct)));
        m_figures->setItem(row, 3, cell(QString::number(figures->ece, 'f', 4)));
        m_figures->setItem(row, 4, cell(QString::number(figures->count)));
        m_figures->setItem(
            row, 5,
            cell(figures->learntFrom < 0 ? tr("unknown") : QString::number(figures->learntFrom)));
        ++row;
    }
    m_figures->resizeColumnsToContents();
    m_perClass->setRowCount(10);
    for (int c = 0; c < 10; ++c) {
        const auto &a = shown.a.perClass[static_cast<size_t>(c)];
        const auto &b = shown.b.perClass[static_cast<size_t>(c)];
        m_perClass->setItem(c, 0, cell(QString::number(c)));
        m_perClass->setItem(c, 1, cell(QString::number(a.count)));
        m_perClass->setItem(c, 2, cell(a.count > 0 ? percent(a.recall) : QString()));
        m_perClass->setItem(c, 3, cell(b.count > 0 ? percent(b.recall) : QString()));
    }
    m_perClass->resizeColumnsToContents();
    m_confusionA->setMatrix(shown.a.confusion, nameA);
    m_confusionB->setMatrix(shown.b.confusion, nameB);
    QList<QPointF> pointsA;
    QList<QPointF> pointsB;
    for (const auto &bin : shown.a.reliability) {
        if (bin.count > 0) {
            pointsA.append({bin.meanConfidence, bin.accuracy});
        }
    }
    for (const auto &bin : shown.b.reliability) {
        if (bin.count > 0) {
            pointsB.append({bin.meanConfidence, bin.accuracy});
        }
    }
    m_reliabilityA->replace(pointsA);
    m_reliabilityB->replace(pointsB);
    m_reliabilityA->setName(tr("A"));
    m_reliabilityB->setName(tr("B"));

    m_disagreements->clear();
    for (const annotation::Disagreement &d : shown.disagreements) {
        auto *item = new QListWidgetItem(
            thumbnail(d.pixels),
            tr("A %1 · B %2\nlabel %3").arg(d.a.label).arg(d.b.label).arg(d.label));
        item->setToolTip(tr("Approved label %1\nA (model %2): %3 at %4\nB (model %5): %6 at %7")
                             .arg(d.label)
                             .arg(m_result.a.id)
                             .arg(d.a.label)
                             .arg(percent(d.a.confidence))
                             .arg(m_result.b.id)
                             .arg(d.b.label)
                             .arg(percent(d.b.confidence)));
        item->setData(Qt::UserRole, d.sha256);
        m_disagreements->addItem(item);
    }
    m_disagreementCount->setText(
        shown.disagreementCount > static_cast<int>(shown.disagreements.size())
            ? tr("The two answer differently on %1 images; the first %2 are shown.")
                  .arg(shown.disagreementCount)
                  .arg(shown.disagreements.size())
            : tr("The two answer differently on %1 images.").arg(shown.disagreementCount));
}

} // namespace digitdesk::ui
