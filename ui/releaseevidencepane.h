#pragma once

#include "annotation/releasevalidation.h"

#include <QWidget>

class QLabel;
class QTabWidget;
class QTableWidget;

namespace digitdesk::ui {

class ComparisonPane;

// One release candidate as ML QA judge it: its lineage and sign-off history, the workspace's
// checklist (pass in green, fail in red), the baselines beside its figures (random guess,
// majority class, nearest centroid, and the annotators themselves), the evaluation report
// against production, and accuracy per slice (image source, month imported, predicted class)
// with the slices where it does worse than production in red.
class ReleaseEvidencePane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleaseEvidencePane)

public:
    // A slice where the candidate is this much less accurate than production is shown red.
    static constexpr double WorseBy = 0.02;

    explicit ReleaseEvidencePane(QWidget *parent = nullptr);

    void showEvidence(const annotation::ReleaseEvidence &evidence);
    // Instead of the evidence: what is being done, or why there is none.
    void showMessage(const QString &text);

    ComparisonPane *comparison() const { return m_comparison; }
    QTableWidget *checklist() const { return m_checklist; }
    QTableWidget *baselines() const { return m_baselines; }
    QTableWidget *slices() const { return m_slices; }
    QString lineageText() const;

private:
    void showChecklist(const annotation::ReleaseEvidence &evidence);
    void showBaselines(const annotation::ReleaseEvidence &evidence);
    void showSlices(const annotation::ReleaseEvidence &evidence);

    QLabel *m_lineage;
    QTableWidget *m_checklist;
    QTableWidget *m_baselines;
    QTableWidget *m_slices;
    ComparisonPane *m_comparison;
    QTabWidget *m_tabs;
};

} // namespace digitdesk::ui
