#pragma once

#include <QWidget>

#include <array>

namespace digitdesk::ui {

// A 10x10 confusion matrix as a heatmap: rows are the approved label, columns the answer,
// each cell shaded by its share of the row (so a rare class's mistakes show as plainly as a
// common one's) and labelled with its count. The diagonal is green, mistakes red.
class ConfusionHeatmap final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfusionHeatmap)

public:
    using Matrix = std::array<std::array<int, 10>, 10>;

    explicit ConfusionHeatmap(QWidget *parent = nullptr);

    void setMatrix(const Matrix &matrix, const QString &title);
    const Matrix &matrix() const { return m_matrix; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Matrix m_matrix{};
    QString m_title;
};

} // namespace digitdesk::ui
