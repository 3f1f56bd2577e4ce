#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/datacheckreport.h"
#include "annotation/datacheckrunner.h"
#include "annotation/principal.h"
#include "storage/datacheckrepository.h"
#include "storage/labelsuspectrepository.h"

#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

// A check as the workspace keeps it: its row and its report.
struct StoredDataCheck
{
    storage::DataCheckRecord record;
    DataCheckReport report; // empty unless the check finished
};

// What sending suspects to review did, each suspect counted once.
struct SentToReview
{
    int sent = 0;
    int alreadySent = 0;    // by this check before, or waiting for review from another check
    int notApproved = 0;    // no longer approved (relabelled, rejected, waiting already)
    int notInWorkspace = 0; // a pulled version's image this workspace does not hold
};

// Data checks of dataset versions (issue 16): likely label errors by confident learning on
// K-fold out-of-fold probabilities, near-duplicates and leakage across the trainer's split,
// class balance and label drift against the previous version and the served traffic, outliers.
// A check is stored with the version it checked; its suspected label errors may go back to the
// review queue, for a reviewer other than the one who approved them, whose decisions tell how
// precise the check is on this workspace.
class DataCheckService final
{
public:
    using Progress = std::function<void(const DataCheckProgress &)>;

    DataCheckService(const QSqlDatabase &db, QString workspaceRoot);

    // Runs the check and stores it (RunDataCheck). A cancelled check is recorded as such and
    // returned without a report. Throws InvalidRequest for an unknown version or one too small.
    StoredDataCheck run(const Principal &who, const QString &tag, const DataCheckOptions &options,
                        const Progress &progress = {}, const std::atomic<bool> *cancel = nullptr);
    // The version's newest finished check (ViewDatasets).
    std::optional<StoredDataCheck> latest(const Principal &who, const QString &tag) const;
    StoredDataCheck find(const Principal &who, qint64 checkId) const;
    std::vector<storage::LabelSuspectRow> suspects(const Principal &who, qint64 checkId) const;
    // Returns the check's suspects (those named, all when none is) to the review queue, marked
    // as suspected label errors (SendToReview). Sending one twice does nothing the second time.
    SentToReview sendToReview(const Principal &who, qint64 checkId,
                              const std::vector<qint64> &suspectIds = {});
    // Reviewers' decisions on suspects sent back, over the whole workspace (ViewDatasets).
    storage::SuspectDecisions decisions(const Principal &who) const;

private:
    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
