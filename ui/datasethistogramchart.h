#pragma once

#include <QChartView>
#include <QList>

#include <array>

class QBarSet;
class QValueAxis;

namespace digitdesk::ui {

// A dataset version's images per class as bars: 0-9, and x for "not a digit".
class DatasetHistogramChart final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetHistogramChart)

public:
    explicit DatasetHistogramChart(QWidget *parent = nullptr);

    void setHistogram(const std::array<int, 11> &histogram);
    void clear() { setHistogram({}); }
    // The bars' heights, 0-9 then x (for tests).
    QList<qreal> values() const;

private:
    QBarSet *m_bars;
    QValueAxis *m_count;
};

} // namespace digitdesk::ui
