#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/comparisonfigures.h"
#include "annotation/datasetservice.h"
#include "annotation/principal.h"
#include "models/computedevice.h"

#include <QSqlDatabase>
#include <QString>

#include <array>
#include <atomic>
#include <functional>

namespace digitdesk::annotation {

struct ComparisonRequest
{
    QString modelA; // id or alias: the candidate
    QString modelB; // id or alias: production, typically
    QString datasetTag;
    models::DeviceRequest device = models::DeviceRequest::Auto;
    size_t maxDisagreements = 500; // kept with their pixels; the total is counted anyway
};

struct ComparedModel
{
    qint64 id = 0;
    double temperature = 1.0;
    QString datasetCommit; // what it was trained on; empty when not on a dataset version
    QString trainedOn;     // that version's tag, when this workspace knows it
};

struct ModelComparisonResult
{
    ComparedModel a;
    ComparedModel b;
    DatasetVersion version;
    SetComparison heldOut; // the version's held-out split: what training on it never sees
    SetComparison newer;   // images approved now that the version does not hold (digits only)
    // The held-out images (their ids here, 0 when this workspace lacks one), their labels and
    // each model's answers, in the set's order: for figures by slice.
    std::vector<qint64> heldOutImageIds;
    std::vector<uint8_t> heldOutLabels;
    std::array<std::vector<Answer>, 2> heldOutAnswers;
    bool cancelled = false;
};

// A new model beside another (production, typically) on the same images: a version's held-out
// split and the labels approved since that version. Each model answers with its calibrated
// probabilities (its own temperature). Needs the view-models right, and reads the version's
// training files as `digitdesk train` does (DatasetService::versionFiles, the view-datasets
// right, so ML QA compare what they may not train). Opens its own predictors, so a worker
// thread may run it with its own database connection.
class ModelComparison final
{
public:
    using Progress = std::function<void(qint64 done, qint64 total)>; // images answered

    ModelComparison(const QSqlDatabase &db, QString workspaceRoot);

    // Throws InvalidRequest (no such model or version), ModelRefused (a model file that must not
    // be used) or PermissionDenied. Cancel is checked between batches; a cancelled comparison
    // returns with `cancelled` set and no figures.
    ModelComparisonResult compare(const Principal &who, const ComparisonRequest &request,
                                  const Progress &progress = {},
                                  const std::atomic<bool> *cancel = nullptr) const;

private:
    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
