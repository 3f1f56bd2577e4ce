#pragma once

#include <QList>
#include <QPointF>
#include <QTimer>
#include <QWidget>

class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace digitdesk::ui {

// A run's live curves: the running loss and training accuracy per step, and per epoch the
// training and held-out accuracy. Points arrive at every step; they are drawn at most a few
// times a second, so a fast run cannot flood the event loop with repaints.
class TrainingCurves final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingCurves)

public:
    static constexpr int RedrawIntervalMs = 250;

    explicit TrainingCurves(QWidget *parent = nullptr);

    void clear(qint64 steps);
    void addStep(qint64 step, double loss, double accuracy);
    void addEpoch(qint64 step, double trainAccuracy, double heldOutAccuracy);

    // What the charts hold once drawn (tests read these).
    int lossPointCount() const;
    int epochPointCount() const;

private:
    QChartView *makeLossChart();
    QChartView *makeAccuracyChart();
    void redraw();

    QTimer m_redraw;
    qint64 m_steps = 1;
    double m_highestLoss = 0;
    QList<QPointF> m_lossPoints;
    QList<QPointF> m_accuracyPoints;
    QList<QPointF> m_epochTrainPoints;
    QList<QPointF> m_epochHeldOutPoints;
    QValueAxis *m_lossSteps = nullptr;
    QValueAxis *m_lossAxis = nullptr;
    QValueAxis *m_accuracySteps = nullptr;
    QValueAxis *m_accuracyAxis = nullptr;
    QLineSeries *m_loss = nullptr;
    QLineSeries *m_accuracy = nullptr;
    QLineSeries *m_epochTrain = nullptr;
    QLineSeries *m_epochHeldOut = nullptr;
    QScatterSeries *m_epochHeldOutDots = nullptr;
};

} // namespace digitdesk::ui
