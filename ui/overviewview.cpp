#include "ui/overviewview.h"

#include "annotation/annotationservice.h"
#include "annotation/permission.h"
#include "annotation/teamsettings.h"
#include "storage/workspace.h"
#include "ui/appearance.h"
#include "ui/overviewcharts.h"
#include "ui/overviewexport.h"
#include "ui/overviewworker.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace digitdesk::ui {
namespace {

constexpr int MonthsToChoose = 12;

QString percent(double share, int decimals)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', decimals);
}

const annotation::TeamSetting &settingOf(const char *key)
{
    return *annotation::findTeamSetting(QString::fromLatin1(key));
}

// A spin box that takes exactly the setting's range; shares are shown in percent.
QSpinBox *wholeSpin(const char *key, const QString &objectName, QWidget *parent)
{
    const annotation::TeamSetting &setting = settingOf(key);
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(static_cast<int>(setting.minimum), static_cast<int>(setting.maximum));
    spin->setToolTip(QStringLiteral("%1: %2").arg(setting.key, setting.meaning));
    return spin;
}

QDoubleSpinBox *shareSpin(const char *key, const QString &objectName, QWidget *parent)
{
    const annotation::TeamSetting &setting = settingOf(key);
    auto *spin = new QDoubleSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setDecimals(1);
    spin->setSuffix(QStringLiteral(" %"));
    spin->setRange(setting.minimum * 100, setting.maximum * 100);
    spin->setToolTip(QStringLiteral("%1: %2").arg(setting.key, setting.meaning));
    return spin;
}

} // namespace

OverviewView::OverviewView(const storage::Workspace &workspace, annotation::Principal who,
                           QWidget *parent)
    : QWidget(parent),
      m_worker(new OverviewWorker(workspace.databasePath(), workspace.root(), who)),
      m_who(std::move(who)), m_workspaceName(workspace.root()), m_month(new QComboBox(this)),
      m_exportCsv(new QPushButton(tr("Export &CSV…"), this)),
      m_exportPdf(new QPushButton(tr("Export &PDF…"), this)), m_summary(new QLabel(this)),
      m_status(new QLabel(this)), m_charts(new OverviewCharts(this))
{
    setObjectName(QStringLiteral("overviewView"));
    m_month->setObjectName(QStringLiteral("exportMonth"));
    const QDate thisMonth = QDate::currentDate().addDays(1 - QDate::currentDate().day());
    for (int back = 0; back < MonthsToChoose; ++back) {
        const QDate month = thisMonth.addMonths(-back);
        m_month->addItem(QLocale().toString(month, QStringLiteral("MMMM yyyy")), month);
    }
    m_exportCsv->setObjectName(QStringLiteral("exportCsv"));
    m_exportCsv->setToolTip(tr("Every figure of the chosen month as CSV rows"));
    m_exportPdf->setObjectName(QStringLiteral("exportPdf"));
    m_exportPdf->setToolTip(tr("A one-page report of the chosen month"));
    m_summary->setObjectName(QStringLiteral("overviewSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_status->setObjectName(QStringLiteral("overviewStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    auto *refreshButton = new QPushButton(tr("&Refresh"), this);

    auto *top = new QHBoxLayout;
    top->addWidget(refreshButton);
    top->addWidget(m_summary, 1);
    auto *monthLabel = new QLabel(tr("&Month:"), this);
    monthLabel->setBuddy(m_month);
    top->addWidget(monthLabel);
    top->addWidget(m_month);
    top->addWidget(m_exportCsv);
    top->addWidget(m_exportPdf);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(makeTiles());
    if (annotation::isAllowed(m_who.role, annotation::Action::SetTeamTargets)) {
        layout->addWidget(makeTargets());
    }
    layout->addWidget(m_charts, 1);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &OverviewView::requestFigures, m_worker, &OverviewWorker::load);
    connect(this, &OverviewView::requestSaveTargets, m_worker, &OverviewWorker::saveTargets);
    connect(this, &OverviewView::requestExport, m_worker, &OverviewWorker::exportMonth);
    connect(m_worker, &OverviewWorker::figuresReady, this, &OverviewView::handleFigures);
    connect(m_worker, &OverviewWorker::targetsReady, this, &OverviewView::handleTargets);
    connect(m_worker, &OverviewWorker::targetsSaved, this, [this] {
        m_targetsEdited = false;
        m_status->setText(tr("Targets saved: the queue follows them from the next item on."));
        Q_EMIT targetsSaved();
    });
    connect(m_worker, &OverviewWorker::exported, this, [this](const QString &path) {
        m_status->setText(tr("Written to %1.").arg(path));
        Q_EMIT exported(path);
    });
    connect(m_worker, &OverviewWorker::failed, this,
            [this](const QString &what, const QString &why) {
                m_status->setText(tr("%1 failed: %2").arg(what, why));
                Q_EMIT actionFailed(why);
            });
    m_thread.start();
    connect(refreshButton, &QPushButton::clicked, this, &OverviewView::refresh);
    connect(m_exportCsv, &QPushButton::clicked, this, &OverviewView::exportCsv);
    connect(m_exportPdf, &QPushButton::clicked, this, &OverviewView::exportPdf);
    m_timer.setInterval(RefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &OverviewView::refresh);
    m_summary->setText(tr("Reading the team's figures…"));
}

OverviewView::~OverviewView()
{
    m_thread.quit();
    m_thread.wait();
}

QWidget *OverviewView::makeTiles()
{
    auto *tiles = new QWidget(this);
    auto *grid = new QGridLayout(tiles);
    grid->setContentsMargins(0, 0, 0, 0);
    const std::vector<std::pair<QString, QString>> captions = {
        {QStringLiteral("queueDepth"), tr("Images in the queue")},
        {QStringLiteral("oldestItem"), tr("Oldest item waiting")},
        {QStringLiteral("reviewBacklog"), tr("Waiting for review")},
        {QStringLiteral("releasesWaiting"), tr("Releases waiting for sign-off")},
        {QStringLiteral("availability"), tr("Serving availability, 30 days")},
        {QStringLiteral("errorBudget"), tr("Error budget left")}};
    int column = 0;
    for (const auto &[name, caption] : captions) {
        auto *frame = new QFrame(tiles);
        frame->setFrameShape(QFrame::StyledPanel);
        auto *box = new QVBoxLayout(frame);
        auto *value = new QLabel(QStringLiteral("…"), frame);
        value->setObjectName(QStringLiteral("tile_") + name);
        value->setTextFormat(Qt::PlainText);
        value->setAlignment(Qt::AlignCenter);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.6);
        big.setBold(true);
        value->setFont(big);
        auto *label = new QLabel(caption, frame);
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        box->addWidget(value);
        box->addWidget(label);
        grid->addWidget(frame, 0, column++);
        m_tiles[name] = value;
    }
    return tiles;
}

QGroupBox *OverviewView::makeTargets()
{
    using annotation::AnnotationService;
    m_targets = new QGroupBox(tr("Targets and queue settings"), this);
    m_targets->setObjectName(QStringLiteral("teamTargets"));
    m_dailyTarget = wholeSpin(annotation::DailyTargetSetting, QStringLiteral("dailyTarget"), this);
    m_dailyTarget->setSuffix(tr(" labels"));
    m_leaseSeconds =
        wholeSpin(AnnotationService::LeaseSetting, QStringLiteral("leaseSeconds"), this);
    m_leaseSeconds->setSuffix(tr(" s"));
    m_highConfidence = shareSpin(AnnotationService::HighConfidenceSetting,
                                 QStringLiteral("highConfidenceShare"), this);
    m_goldShare = shareSpin(AnnotationService::GoldSetting, QStringLiteral("goldShare"), this);
    m_overlap = wholeSpin(AnnotationService::OverlapSetting, QStringLiteral("overlap"), this);
    m_applyTargets = new QPushButton(tr("&Apply"), this);
    m_applyTargets->setObjectName(QStringLiteral("applyTargets"));
    m_applyTargets->setEnabled(false); // until the settings are read
    auto *form = new QGridLayout(m_targets);
    const std::vector<std::pair<QString, QWidget *>> fields = {
        {tr("Daily target per annotator"), m_dailyTarget},
        {tr("Lease"), m_leaseSeconds},
        {tr("Confident items in the queue"), m_highConfidence},
        {tr("Gold items in the queue"), m_goldShare},
        {tr("Labels per item before review"), m_overlap}};
    int column = 0;
    for (const auto &[text, field] : fields) {
        auto *label = new QLabel(text, m_targets);
        label->setBuddy(field);
        form->addWidget(label, 0, column);
        form->addWidget(field, 1, column++);
    }
    form->addWidget(m_applyTargets, 1, column);
    connect(m_applyTargets, &QPushButton::clicked, this, &OverviewView::applyTargets);
    // handleTargets() blocks these while it shows the stored values: only edits set the flag.
    const auto edited = [this] {
        m_targetsEdited = true;
    };
    for (QSpinBox *spin : {m_dailyTarget, m_leaseSeconds, m_overlap}) {
        connect(spin, &QSpinBox::valueChanged, this, edited);
    }
    for (QDoubleSpinBox *spin : {m_highConfidence, m_goldShare}) {
        connect(spin, &QDoubleSpinBox::valueChanged, this, edited);
    }
    return m_targets;
}

void OverviewView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer.start();
}

void OverviewView::hideEvent(QHideEvent *event)
{
    m_timer.stop();
    QWidget::hideEvent(event);
}

void OverviewView::refresh()
{
    Q_EMIT requestFigures();
}

QString OverviewView::tileText(const QString &tile) const
{
    const auto found = m_tiles.find(tile);
    return found == m_tiles.end() ? QString() : found->second->text();
}

QString OverviewView::statusText() const
{
    return m_status->text();
}

QString OverviewView::summaryText() const
{
    return m_summary->text();
}

bool OverviewView::targetsShown() const
{
    return m_targets != nullptr && !m_targets->isHidden();
}

void OverviewView::setTile(const QString &tile, const QString &value, bool alarming)
{
    QLabel *label = m_tiles.at(tile);
    label->setText(value);
    label->setStyleSheet(alarming ? QStringLiteral("QLabel { %1 }").arg(toneStyle(Tone::Error))
                                  : QString());
}

void OverviewView::handleFigures(const annotation::OverviewFigures &figures)
{
    m_figures = figures;
    const QLocale locale;
    setTile(QStringLiteral("queueDepth"), locale.toString(figures.queueDepth));
    setTile(QStringLiteral("oldestItem"), overviewexport::formatAge(figures.oldestItemAgeSeconds),
            figures.oldestItemAgeSeconds > 7 * 24 * 3600);
    setTile(QStringLiteral("reviewBacklog"), locale.toString(figures.reviewBacklog));
    QStringList waiting;
    for (qint64 id : figures.releasesWaiting) {
        waiting << QString::number(id);
    }
    setTile(QStringLiteral("releasesWaiting"), locale.toString(waiting.size()));
    m_tiles.at(QStringLiteral("releasesWaiting"))
        ->setToolTip(waiting.isEmpty() ? tr("No model waits for an ML QA decision.")
                                       : tr("Model(s) %1").arg(waiting.join(QStringLiteral(", "))));
    const annotation::ServingSloSummary &slo = figures.slo;
    const bool belowObjective =
        slo.availability &&
        *slo.availability < annotation::ServingSloSummary::AvailabilityObjective;
    setTile(QStringLiteral("availability"),
            slo.availability ? percent(*slo.availability, 3) : tr("no traffic"), belowObjective);
    setTile(QStringLiteral("errorBudget"), percent(slo.budgetLeft, 0), slo.budgetLeft < 0);
    m_charts->showFigures(figures);
    m_summary->setText(tr("%1 labels by %2 annotator(s) from %3 to %4 (UTC days); read %5.")
                           .arg(locale.toString(figures.totalLabels()))
                           .arg(figures.annotators().size())
                           .arg(figures.firstDay.toString(Qt::ISODate),
                                figures.lastDay.toString(Qt::ISODate),
                                figures.readAt.toLocalTime().toString(QStringLiteral("HH:mm:ss"))));
    Q_EMIT figuresShown();
}

void OverviewView::handleTargets(const annotation::TeamTargets &targets)
{
    if (m_targets == nullptr) {
        return;
    }
    m_applyTargets->setEnabled(true);
    if (m_targetsEdited) {
        const annotation::TeamTargets edited = editedTargets();
        const auto tenths = [](double share) {
            return std::lround(share * 1000);
        };
        const bool same =
            edited.dailyTarget == targets.dailyTarget &&
            edited.leaseSeconds == targets.leaseSeconds &&
            tenths(edited.highConfidenceShare) == tenths(targets.highConfidenceShare) &&
            tenths(edited.goldShare) == tenths(targets.goldShare) &&
            edited.overlap == targets.overlap;
        if (!same) {
            return; // the periodic refresh must not throw away what the manager is typing
        }
        m_targetsEdited = false;
    }
    const QSignalBlocker dailyTarget(m_dailyTarget);
    const QSignalBlocker leaseSeconds(m_leaseSeconds);
    const QSignalBlocker highConfidence(m_highConfidence);
    const QSignalBlocker goldShare(m_goldShare);
    const QSignalBlocker overlap(m_overlap);
    m_dailyTarget->setValue(targets.dailyTarget);
    m_leaseSeconds->setValue(targets.leaseSeconds);
    m_highConfidence->setValue(targets.highConfidenceShare * 100);
    m_goldShare->setValue(targets.goldShare * 100);
    m_overlap->setValue(targets.overlap);
}

annotation::TeamTargets OverviewView::editedTargets() const
{
    annotation::TeamTargets targets;
    targets.dailyTarget = m_dailyTarget->value();
    targets.leaseSeconds = m_leaseSeconds->value();
    // Whole tenths of a percent, as the spin boxes show them.
    targets.highConfidenceShare = std::round(m_highConfidence->value() * 10) / 1000;
    targets.goldShare = std::round(m_goldShare->value() * 10) / 1000;
    targets.overlap = m_overlap->value();
    return targets;
}

void OverviewView::applyTargets()
{
    if (m_targets == nullptr) {
        return;
    }
    m_status->setText(tr("Saving the targets…"));
    Q_EMIT requestSaveTargets(editedTargets());
}

void OverviewView::exportMonth(const QDate &month, const QString &format, const QString &path)
{
    m_status->setText(tr("Writing %1…").arg(path));
    Q_EMIT requestExport(month.year(), month.month(), format, path);
}

void OverviewView::exportCsv()
{
    askAndExport(QStringLiteral("csv"));
}

void OverviewView::exportPdf()
{
    askAndExport(QStringLiteral("pdf"));
}

void OverviewView::askAndExport(const QString &format)
{
    const QDate month = m_month->currentData().toDate();
    const QString suggested = QStringLiteral("digitdesk-team-%1.%2")
                                  .arg(month.toString(QStringLiteral("yyyy-MM")), format);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1").arg(m_month->currentText()), suggested,
        format == QStringLiteral("pdf") ? tr("PDF report (*.pdf)") : tr("CSV figures (*.csv)"));
    if (!path.isEmpty()) {
        exportMonth(month, format, path);
    }
}

} // namespace digitdesk::ui
