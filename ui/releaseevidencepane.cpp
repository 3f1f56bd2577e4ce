#include "ui/releaseevidencepane.h"

#include "ui/comparisonpane.h"
#include "ui/runsettingstext.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

const QColor PassBackground(QStringLiteral("#e8f5e9"));
const QColor PassText(QStringLiteral("#1b5e20"));
const QColor FailBackground(QStringLiteral("#ffebee"));
const QColor FailText(QStringLiteral("#b00020"));

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 2);
}

QString when(const QDateTime &time)
{
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QTableWidgetItem *cell(const QString &text, bool numeric = false)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(Qt::AlignVCenter | (numeric ? Qt::AlignRight : Qt::AlignLeft));
    item->setToolTip(text);
    return item;
}

QTableWidget *makeTable(const QString &objectName, const QStringList &headers, QWidget *parent)
{
    auto *table = new QTableWidget(parent);
    table->setObjectName(objectName);
    table->setColumnCount(static_cast<int>(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    return table;
}

// As tall as its rows, so the tables stack without empty space between them.
void fitHeight(QTableWidget *table)
{
    int height = table->horizontalHeader()->sizeHint().height() + 2 * table->frameWidth();
    for (int row = 0; row < table->rowCount(); ++row) {
        height += table->rowHeight(row);
    }
    table->setFixedHeight(height);
}

void colourRow(QTableWidget *table, int row, const QColor &background, const QColor &text)
{
    for (int column = 0; column < table->columnCount(); ++column) {
        if (QTableWidgetItem *item = table->item(row, column)) {
            item->setBackground(background);
            item->setForeground(text);
        }
    }
}

} // namespace

ReleaseEvidencePane::ReleaseEvidencePane(QWidget *parent)
    : QWidget(parent), m_lineage(new QLabel(this)),
      m_checklist(makeTable(QStringLiteral("releaseChecklist"),
                            {tr("Check"), tr("Requirement"), tr("Model"), tr("Result")}, this)),
      m_baselines(makeTable(QStringLiteral("releaseBaselines"),
                            {tr("Beside"), tr("Accuracy"), tr("Measured on")}, this)),
      m_slices(makeTable(QStringLiteral("releaseSlices"),
                         {tr("Slice by"), tr("Slice"), tr("Images"), tr("Candidate"),
                          tr("Production"), tr("Difference")},
                         this)),
      m_comparison(new ComparisonPane(this)), m_tabs(new QTabWidget(this))
{
    setObjectName(QStringLiteral("releaseEvidence"));
    m_lineage->setObjectName(QStringLiteral("releaseLineage"));
    m_lineage->setTextFormat(Qt::PlainText);
    m_lineage->setWordWrap(true);
    m_lineage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lineage->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_slices->horizontalHeader()->setStretchLastSection(false);

    auto *summary = new QWidget(this);
    auto *summaryLayout = new QVBoxLayout(summary);
    summaryLayout->addWidget(m_lineage);
    summaryLayout->addWidget(new QLabel(tr("<b>Checklist</b> (the workspace's release "
                                           "settings, on the held-out split)"),
                                        summary));
    summaryLayout->addWidget(m_checklist);
    summaryLayout->addWidget(new QLabel(tr("<b>Baselines</b> beside the model"), summary));
    summaryLayout->addWidget(m_baselines);
    summaryLayout->addStretch(1);
    m_tabs->addTab(summary, tr("Checklist and baselines"));
    m_tabs->addTab(m_comparison, tr("Evaluation report"));
    m_tabs->addTab(m_slices, tr("Accuracy per slice"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    showMessage(tr("Select a model to see its evidence."));
}

QString ReleaseEvidencePane::lineageText() const
{
    return m_lineage->text();
}

void ReleaseEvidencePane::showMessage(const QString &text)
{
    m_lineage->setText(text);
    m_checklist->setRowCount(0);
    m_baselines->setRowCount(0);
    m_slices->setRowCount(0);
    fitHeight(m_checklist);
    fitHeight(m_baselines);
    m_comparison->showMessage(text);
}

void ReleaseEvidencePane::showEvidence(const annotation::ReleaseEvidence &evidence)
{
    const QLocale locale;
    const storage::ModelRecord &model = evidence.model;
    QStringList lines;
    lines << tr("Model %1 (%2), registered by %3 on %4")
                 .arg(model.id)
                 .arg(model.architecture, model.createdBy, when(model.createdAt));
    if (evidence.run) {
        lines << tr("  ← run %1, started by %2 on %3 (%4), %5")
                     .arg(evidence.run->id)
                     .arg(evidence.run->startedBy, when(evidence.run->startedAt),
                          evidence.run->startedBecause, evidence.run->status);
        lines << tr("      settings: %1").arg(runSettingsText(evidence.run->hyperparameters));
    }
    lines << (evidence.trainedOn.isEmpty()
                  ? tr("  ← not trained on a dataset version of this workspace")
                  : tr("  ← dataset version %1, commit %2")
                        .arg(evidence.trainedOn, model.datasetCommit.left(12)));
    lines << (evidence.comparedWithProduction()
                  ? tr("Evaluated against production (model %1) on the %2 (%3 images).")
                        .arg(*evidence.productionId)
                        .arg(evidence.comparison.heldOut.name,
                             locale.toString(evidence.comparison.heldOut.count))
                  : tr("Evaluated on the %1 (%2 images); there is no other production model to "
                       "compare with.")
                        .arg(evidence.comparison.heldOut.name,
                             locale.toString(evidence.comparison.heldOut.count)));
    lines << tr("Release: %1").arg(annotation::toString(evidence.status));
    for (const annotation::ReleaseDecision &decision : evidence.decisions) {
        lines << tr("  %1 %2 by %3%4")
                     .arg(when(decision.decidedAt),
                          decision.approved ? tr("approved") : tr("rejected"), decision.decidedBy,
                          decision.comment.isEmpty() ? QString()
                                                     : QStringLiteral(": ") + decision.comment);
    }
    m_lineage->setText(lines.join(QLatin1Char('\n')));
    showChecklist(evidence);
    showBaselines(evidence);
    showSlices(evidence);
    m_comparison->showResult(evidence.comparison);
}

void ReleaseEvidencePane::showChecklist(const annotation::ReleaseEvidence &evidence)
{
    m_checklist->setRowCount(static_cast<int>(evidence.checklist.size()));
    int row = 0;
    for (const annotation::ChecklistItem &item : evidence.checklist) {
        m_checklist->setItem(row, 0, cell(item.name));
        m_checklist->setItem(row, 1, cell(item.requirement));
        m_checklist->setItem(row, 2, cell(item.actual));
        m_checklist->setItem(row, 3, cell(item.passed ? tr("pass") : tr("fail")));
        colourRow(m_checklist, row, item.passed ? PassBackground : FailBackground,
                  item.passed ? PassText : FailText);
        ++row;
    }
    m_checklist->resizeColumnsToContents();
    fitHeight(m_checklist);
}

void ReleaseEvidencePane::showBaselines(const annotation::ReleaseEvidence &evidence)
{
    const QLocale locale;
    const annotation::SetComparison &heldOut = evidence.comparison.heldOut;
    const QString split = tr("%1 (%2 images)").arg(heldOut.name, locale.toString(heldOut.count));
    std::vector<std::array<QString, 3>> rows;
    rows.push_back({tr("model %1 (this release)").arg(evidence.model.id),
                    tr("%1 [%2, %3]")
                        .arg(percent(heldOut.a.accuracy), percent(heldOut.a.accuracyInterval.lower),
                             percent(heldOut.a.accuracyInterval.upper)),
                    split});
    if (evidence.comparedWithProduction()) {
        rows.push_back(
            {tr("model %1 (production)").arg(*evidence.productionId),
             tr("%1 [%2, %3]")
                 .arg(percent(heldOut.b.accuracy), percent(heldOut.b.accuracyInterval.lower),
                      percent(heldOut.b.accuracyInterval.upper)),
             split});
    }
    const models::Baselines &baselines = evidence.baselines;
    rows.push_back({tr("random guess"), percent(baselines.randomGuessAccuracy), split});
    rows.push_back({tr("majority class (always %1)").arg(baselines.majorityClass),
                    percent(baselines.majorityAccuracy), split});
    rows.push_back({tr("nearest centroid (class mean images)"),
                    percent(baselines.nearestCentroidAccuracy), split});
    const annotation::HumanBaseline &human = evidence.human;
    rows.push_back({tr("annotators on gold items"),
                    human.goldAccuracy >= 0 ? percent(human.goldAccuracy) : tr("—"),
                    human.goldAnswered > 0 ? tr("%1 gold answers by %2 annotator(s)")
                                                 .arg(locale.toString(human.goldAnswered))
                                                 .arg(human.annotators)
                                           : tr("no gold item answered yet")});
    rows.push_back(
        {tr("annotators' agreement with reviewers"),
         human.agreementWithReviewers >= 0 ? percent(human.agreementWithReviewers) : tr("—"),
         human.reviewed > 0
             ? tr("%1 reviewed labels approved as they were").arg(locale.toString(human.reviewed))
             : tr("no label reviewed yet")});
    m_baselines->setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
        const auto &values = rows[static_cast<size_t>(row)];
        m_baselines->setItem(row, 0, cell(values[0]));
        m_baselines->setItem(row, 1, cell(values[1], true));
        m_baselines->setItem(row, 2, cell(values[2]));
    }
    m_baselines->resizeColumnsToContents();
    fitHeight(m_baselines);
}

void ReleaseEvidencePane::showSlices(const annotation::ReleaseEvidence &evidence)
{
    const bool withProduction = evidence.comparedWithProduction();
    m_slices->setRowCount(static_cast<int>(evidence.slices.size()));
    int row = 0;
    for (const annotation::SliceAccuracy &slice : evidence.slices) {
        const auto share = [](int right, int count) {
            return count > 0 ? static_cast<double>(right) / count : -1.0;
        };
        const double candidate = share(slice.candidateRight, slice.candidateCount);
        const double production = share(slice.productionRight, slice.productionCount);
        const bool both = withProduction && candidate >= 0 && production >= 0;
        m_slices->setItem(row, 0, cell(slice.kind));
        m_slices->setItem(row, 1, cell(slice.slice));
        m_slices->setItem(row, 2, cell(QString::number(slice.candidateCount), true));
        m_slices->setItem(row, 3, cell(candidate >= 0 ? percent(candidate) : tr("—"), true));
        m_slices->setItem(
            row, 4, cell(withProduction && production >= 0 ? percent(production) : tr("—"), true));
        m_slices->setItem(
            row, 5,
            cell(both ? QStringLiteral("%1%2 points")
                            .arg(candidate >= production ? QStringLiteral("+") : QString())
                            .arg((candidate - production) * 100, 0, 'f', 2)
                      : tr("—"),
                 true));
        if (both && production - candidate > WorseBy) {
            colourRow(m_slices, row, FailBackground, FailText);
        }
        ++row;
    }
    m_slices->resizeColumnsToContents();
}

} // namespace digitdesk::ui
