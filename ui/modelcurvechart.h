#pragma once

#include "storage/modelrepository.h"

#include <QWidget>

#include <map>
#include <vector>

class QChart;
class QScatterSeries;
class QLineSeries;
class QValueAxis;

namespace digitdesk::ui {

// A model on the curve: the approved labels of its dataset version and its held-out accuracy.
struct CurvePoint
{
    int labels = 0;
    double accuracy = 0; // 0-1
};

// The workspace's own learning curve: each model trained on a dataset version, its held-out
// accuracy against the number of approved labels in that version, the best model at each size
// joined by a line. Models not trained on a version have no place on it.
class ModelCurveChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelCurveChart)

public:
    explicit ModelCurveChart(QWidget *parent = nullptr);

    // `labelCounts`: dataset commit -> images in that version.
    void showModels(const std::vector<storage::ModelRecord> &models,
                    const std::map<QString, int> &labelCounts);
    void showPoints(const std::vector<CurvePoint> &points);
    void setTitle(const QString &title);
    int pointCount() const;

private:
    QChart *m_chart;
    QScatterSeries *m_models;
    QLineSeries *m_best;
    QValueAxis *m_labels;
    QValueAxis *m_accuracy;
};

} // namespace digitdesk::ui
