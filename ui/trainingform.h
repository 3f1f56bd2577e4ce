#pragma once

#include "ui/trainingprocess.h"

#include <QHash>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace digitdesk::ui {

// The choices of a training run: the dataset version (or "commit the approved labels now"),
// then the hyperparameters with the product's defaults (those of `digitdesk train`, measured
// in tests/bench/train_bench), each explained in its tooltip.
class TrainingForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingForm)

public:
    // The first entry of the version list: commit, then train on what was committed.
    static inline const QString CommitNowEntry = QStringLiteral("commit-now");

    explicit TrainingForm(QWidget *parent = nullptr);

    // Newest first; keeps the chosen one when it is still there.
    void setVersions(const QStringList &tags, const QStringList &descriptions);
    // Versions a data check marked, with why; training on one asks for a confirmation.
    void setCheckWarnings(const QStringList &tags, const QStringList &summaries);
    // Why the version is marked; empty when it is not.
    QString checkWarning(const QString &tag) const { return m_checkWarnings.value(tag); }
    // A tag, or CommitNowEntry.
    QString chosenVersion() const;
    void chooseVersion(const QString &tagOrCommitNow);
    // The request without its run id and tag.
    TrainingRequest request() const;
    void setRequest(const TrainingRequest &request);

private:
    QComboBox *m_version;
    QSpinBox *m_epochs;
    QSpinBox *m_batch;
    QDoubleSpinBox *m_learningRate;
    QCheckBox *m_augment;
    QSpinBox *m_seed;
    QSpinBox *m_threads;
    QComboBox *m_device;
    bool m_explicitChoice = false;
    QHash<QString, QString> m_checkWarnings;
};

} // namespace digitdesk::ui
