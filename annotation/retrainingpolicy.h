#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::annotation {

// Whether the policy asks for a run now, and why (or why not), in words for a person.
struct RetrainingCheck
{
    bool due = false;
    int threshold = 0;    // retrain.min_new_labels; 0: the policy is off
    qint64 newLabels = 0; // approved since the baseline version
    QString sinceTag;     // the baseline version; empty when there is none
    // "2,000 new approved labels since v3 (threshold 1,000)", "the policy is off ...",
    // "run 7 is running", ...
    QString reason;
};

// The workspace's retraining policy: a run is due once `retrain.min_new_labels` labels were
// approved since the baseline, and no run is running (one at a time).
//
// The baseline is the newer of two dataset versions: the one the production model was
// trained on, and the one of the last run the policy itself started (whatever its end), so a
// run the policy started is not started again every minute while nobody promotes its model,
// and a run that crashed is not retried until new labels come. With neither (no production
// model, or one imported or trained on IDX files), every approved label counts as new.
class RetrainingPolicy final
{
public:
    static constexpr const char *MinNewLabelsSetting = "retrain.min_new_labels";
    static constexpr int MaxThreshold = 10000000;
    // What started_because begins with for the runs the policy starts.
    static inline const QString ReasonPrefix = QStringLiteral("policy: ");

    explicit RetrainingPolicy(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    int minNewLabels(const Principal &who) const;
    // 0 turns the policy off. Requires SetRetrainingPolicy; audited.
    void setMinNewLabels(const Principal &who, int count);
    RetrainingCheck due(const Principal &who) const;

private:
    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
