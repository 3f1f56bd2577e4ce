#pragma once

#include "annotation/modelcomparison.h"

#include <QWidget>

class QChartView;
class QComboBox;
class QLabel;
class QListWidget;
class QTableWidget;
class QLineSeries;
class QValueAxis;

namespace digitdesk::ui {

class ConfusionHeatmap;

// A new model beside production on the same images: per set (the version's held-out split, the
// labels approved since), each model's accuracy with its 95% interval and ECE, McNemar's verdict,
// per-class accuracy, both confusion matrices, the reliability diagram, and the images the two
// disagree on as thumbnails with both answers and the approved label.
class ComparisonPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonPane)

public:
    explicit ComparisonPane(QWidget *parent = nullptr);

    void showResult(const annotation::ModelComparisonResult &result);
    void showMessage(const QString &text);
    const annotation::ModelComparisonResult &result() const { return m_result; }
    QString summaryText() const;
    int disagreementTiles() const;

private:
    QChartView *makeReliabilityChart();
    void showSet(int index);
    const annotation::SetComparison &set(int index) const;

    annotation::ModelComparisonResult m_result;
    QLabel *m_summary;
    QComboBox *m_set;
    QLabel *m_verdict;
    QTableWidget *m_figures;
    QTableWidget *m_perClass;
    ConfusionHeatmap *m_confusionA;
    ConfusionHeatmap *m_confusionB;
    QLineSeries *m_reliabilityA = nullptr;
    QLineSeries *m_reliabilityB = nullptr;
    QListWidget *m_disagreements;
    QLabel *m_disagreementCount;
};

} // namespace digitdesk::ui
