#pragma once

#include "annotation/shadowfigures.h"

#include <QMetaType>
#include <QWidget>

class QDateTimeAxis;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QListWidget;
class QPushButton;
class QValueAxis;

namespace digitdesk::ui {

class ConfusionHeatmap;

// What the Monitoring view reads for this pane, on its worker thread.
struct ShadowSnapshot
{
    annotation::ShadowFigures figures;
    annotation::ExperimentStatus status;
    QDateTime from;
    QDateTime to;
};

// Production and the candidate on the endpoint's live traffic: the shadow and canary shares
// (editable by those who control serving), how the last canary ended, the two models'
// agreement over the window, the confusion between their answers, and the latest images they
// disagreed on (each queued for annotation once).
class ShadowPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShadowPane)

public:
    ShadowPane(bool mayControl, QWidget *parent = nullptr);

    void showSnapshot(const ShadowSnapshot &snapshot);
    void showFailure(const QString &reason);
    QString statusText() const;
    QString canaryText() const;
    int disagreementCount() const;

Q_SIGNALS:
    // Shares from 0 to 1, as the user set them.
    void sharesChosen(double shadow, double canary);

private:
    QWidget *makeAgreementChart();

    QLabel *m_status;
    QLabel *m_canary;
    QDoubleSpinBox *m_shadowShare;
    QDoubleSpinBox *m_canaryShare;
    QPushButton *m_apply;
    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_agreementAxis = nullptr;
    QLineSeries *m_agreement = nullptr;
    ConfusionHeatmap *m_confusion;
    QListWidget *m_disagreements;
    bool m_sharesEdited = false;
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::ui::ShadowSnapshot)
