#include "ui/shadowpane.h"

#include "ui/chartpalette.h"
#include "ui/chartparts.h"
#include "ui/confusionheatmap.h"
#include "ui/imagelistmodel.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace digitdesk::ui {
namespace {

QDoubleSpinBox *shareBox(const QString &objectName, QWidget *parent)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(objectName);
    box->setRange(0, 100);
    box->setDecimals(1);
    box->setSuffix(QStringLiteral(" %"));
    box->setSingleStep(5);
    return box;
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

} // namespace

ShadowPane::ShadowPane(bool mayControl, QWidget *parent)
    : QWidget(parent), m_status(new QLabel(this)), m_canary(new QLabel(this)),
      m_shadowShare(shareBox(QStringLiteral("shadowShare"), this)),
      m_canaryShare(shareBox(QStringLiteral("canaryShare"), this)),
      m_apply(new QPushButton(tr("A&pply shares"), this)), m_confusion(new ConfusionHeatmap(this)),
      m_disagreements(new QListWidget(this))
{
    setObjectName(QStringLiteral("shadowPane"));
    m_status->setObjectName(QStringLiteral("shadowStatus"));
    m_canary->setObjectName(QStringLiteral("canaryStatus"));
    for (QLabel *label : {m_status, m_canary}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
    }
    m_apply->setObjectName(QStringLiteral("applyShares"));
    m_disagreements->setObjectName(QStringLiteral("disagreementList"));
    m_disagreements->setViewMode(QListView::IconMode);
    m_disagreements->setIconSize(QSize(56, 56));
    m_disagreements->setGridSize(QSize(84, 84));
    m_disagreements->setResizeMode(QListView::Adjust);
    m_disagreements->setMovement(QListView::Static);
    m_disagreements->setMinimumHeight(100);

    auto *controls = new QHBoxLayout;
    auto *shadowLabel = new QLabel(tr("S&hadow share:"), this);
    shadowLabel->setBuddy(m_shadowShare);
    auto *canaryLabel = new QLabel(tr("Ca&nary share:"), this);
    canaryLabel->setBuddy(m_canaryShare);
    controls->addWidget(shadowLabel);
    controls->addWidget(m_shadowShare);
    controls->addWidget(canaryLabel);
    controls->addWidget(m_canaryShare);
    controls->addWidget(m_apply);
    controls->addStretch(1);
    for (QWidget *widget :
         {static_cast<QWidget *>(m_shadowShare), static_cast<QWidget *>(m_canaryShare),
          static_cast<QWidget *>(m_apply)}) {
        widget->setEnabled(mayControl);
    }
    if (!mayControl) {
        m_apply->setToolTip(tr("Only ML engineers and admins set the shares."));
    }

    auto *figures = new QGridLayout;
    figures->addWidget(makeAgreementChart(), 0, 0);
    figures->addWidget(m_confusion, 0, 1);
    figures->setColumnStretch(0, 3);
    figures->setColumnStretch(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_canary);
    layout->addLayout(figures, 1);
    auto *latest = new QLabel(tr("Latest images the models disagreed on (queued for "
                                 "annotation, production's answer → the candidate's):"),
                              this);
    latest->setWordWrap(true);
    layout->addWidget(latest);
    layout->addWidget(m_disagreements);

    const auto edited = [this] {
        m_sharesEdited = true;
    };
    connect(m_shadowShare, &QDoubleSpinBox::valueChanged, this, edited);
    connect(m_canaryShare, &QDoubleSpinBox::valueChanged, this, edited);
    connect(m_apply, &QPushButton::clicked, this, [this] {
        m_sharesEdited = false;
        Q_EMIT sharesChosen(m_shadowShare->value() / 100.0, m_canaryShare->value() / 100.0);
    });
    m_status->setText(tr("Reading the shadow traffic…"));
}

QWidget *ShadowPane::makeAgreementChart()
{
    auto *chart = new QChart;
    matchChartToPalette(chart, palette());
    chart->setTitle(tr("Agreement between production and the candidate"));
    chart->legend()->hide();
    m_time = new QDateTimeAxis(chart);
    m_time->setFormat(QStringLiteral("dd MMM HH:mm"));
    m_time->setTickCount(5);
    chart->addAxis(m_time, Qt::AlignBottom);
    m_agreementAxis = addValueAxis(chart, tr("% of images alike"), Qt::AlignLeft);
    m_agreementAxis->setRange(0, 100);
    m_agreementAxis->setLabelFormat(QStringLiteral("%d"));
    m_agreement = addSeries<QLineSeries>(chart, tr("agreement"), m_time, m_agreementAxis);
    m_agreement->setPen(QPen(chartBlue(palette()), 2));
    m_agreement->setPointsVisible(true);
    return makeChartView(chart, QStringLiteral("shadowAgreementChart"), this);
}

void ShadowPane::showSnapshot(const ShadowSnapshot &snapshot)
{
    const annotation::ExperimentStatus &status = snapshot.status;
    const annotation::ShadowFigures &figures = snapshot.figures;
    if (!m_sharesEdited) { // a refresh must not undo what the user is typing
        const QSignalBlocker shadowBlock(m_shadowShare);
        const QSignalBlocker canaryBlock(m_canaryShare);
        m_shadowShare->setValue(status.settings.shadowShare * 100);
        m_canaryShare->setValue(status.settings.canaryShare * 100);
    }
    QString models = tr("No candidate is set, so nothing is shadowed: make a model the "
                        "candidate in the Models view");
    if (status.candidate && status.candidate != status.production) {
        models =
            tr("Production is model %1, the candidate model %2; shadow %3, canary %4")
                .arg(status.production ? QString::number(*status.production) : tr("none"))
                .arg(*status.candidate)
                .arg(percent(status.settings.shadowShare), percent(status.settings.canaryShare));
    }
    if (!figures.pair) {
        m_status->setText(tr("%1.\nNo image was shadowed in this window.").arg(models));
    } else {
        m_status->setText(tr("%1.\nModels %2 and %3 agreed on %4 of %5 images in this window "
                             "(%6).")
                              .arg(models)
                              .arg(figures.pair->productionModelId)
                              .arg(figures.pair->candidateModelId)
                              .arg(figures.agreed)
                              .arg(figures.compared)
                              .arg(percent(figures.agreementRate().value_or(0))));
    }
    if (status.lastCanaryStop) {
        const annotation::CanaryStop &stop = *status.lastCanaryStop;
        m_canary->setStyleSheet(QStringLiteral(
            "QLabel { background: #b00020; color: white; padding: 6px; font-weight: bold; }"));
        m_canary->setText(
            tr("The endpoint stopped the canary of model %1 at %2: %3")
                .arg(stop.candidateId)
                .arg(stop.at.toLocalTime().toString(QStringLiteral("dd MMM HH:mm")), stop.reason));
        m_canary->show();
    } else {
        m_canary->hide();
        m_canary->clear();
    }

    QList<QPointF> points;
    for (const storage::ShadowBucket &bucket : figures.buckets) {
        if (bucket.compared > 0) {
            points.append({static_cast<qreal>(bucket.firstMinute * 60000),
                           100.0 * static_cast<double>(bucket.agreed) /
                               static_cast<double>(bucket.compared)});
        }
    }
    m_agreement->replace(points);
    // Agreement is near 100% when it matters: the axis starts a little under the lowest point.
    double lowest = 100;
    for (const QPointF &point : points) {
        lowest = std::min(lowest, point.y());
    }
    m_agreementAxis->setRange(std::max(0.0, std::floor((lowest - 1) / 5) * 5), 100);
    m_time->setRange(snapshot.from.toLocalTime(), snapshot.to.toLocalTime());

    ConfusionHeatmap::Matrix matrix{};
    for (size_t row = 0; row < 10; ++row) {
        for (size_t column = 0; column < 10; ++column) {
            matrix[row][column] = static_cast<int>(
                std::min<qint64>(figures.confusion[row][column], std::numeric_limits<int>::max()));
        }
    }
    m_confusion->setMatrix(matrix, tr("Production's answer (rows) against the candidate's"));

    m_disagreements->clear();
    for (const annotation::ShownDisagreement &shown : figures.latest) {
        const storage::ModelDisagreement &row = shown.disagreement;
        auto *item = new QListWidgetItem(
            QIcon(QPixmap::fromImage(ImageListModel::toImage(shown.pixels))
                      .scaled(56, 56, Qt::KeepAspectRatio, Qt::FastTransformation)),
            QStringLiteral("%1 → %2").arg(row.productionLabel).arg(row.candidateLabel));
        item->setToolTip(
            tr("Image #%1: %2").arg(row.imageId).arg(annotation::describeDisagreement(row)));
        item->setData(Qt::UserRole, row.imageId);
        m_disagreements->addItem(item);
    }
}

void ShadowPane::showFailure(const QString &reason)
{
    m_status->setText(tr("The shadow figures could not be read: %1").arg(reason));
}

QString ShadowPane::statusText() const
{
    return m_status->text();
}

QString ShadowPane::canaryText() const
{
    return m_canary->isHidden() ? QString() : m_canary->text();
}

int ShadowPane::disagreementCount() const
{
    return m_disagreements->count();
}

} // namespace digitdesk::ui
