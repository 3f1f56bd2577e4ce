#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/modelcomparison.h"
#include "annotation/principal.h"
#include "annotation/qualityfigures.h"
#include "annotation/releasesignoff.h"
#include "models/evaluation.h"
#include "storage/modelrepository.h"
#include "storage/teamfiguresrepository.h"
#include "storage/trainingrunrepository.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <optional>
#include <vector>

namespace digitdesk::annotation {

// A model in the ML QA's list: waiting for a decision, or decided.
struct ReleaseCandidate
{
    storage::ModelRecord model;
    ReleaseStatus status = ReleaseStatus::PendingValidation;
    std::optional<ReleaseDecision> latest;
    bool isProduction = false;
    QString datasetTag;           // the version it was trained on; empty when none here
    double recordedAccuracy = -1; // the trainer's held-out accuracy; -1 when unknown
};

// How well the people do what the model is asked to do, from the workspace's own records.
struct HumanBaseline
{
    int annotators = 0;
    int goldAnswered = 0;
    int goldRight = 0;
    double goldAccuracy = -1; // -1: no gold item answered
    int reviewed = 0;
    int approvedAsIs = 0;
    double agreementWithReviewers = -1; // -1: nothing reviewed
};

// Accuracy on one slice of the held-out images, for the candidate and for production. Image
// source and month imported are the same images for both; a predicted class is each model's
// own answer (the precision of that class).
struct SliceAccuracy
{
    QString kind;  // "image source", "month imported", "predicted class"
    QString slice; // "scanner a", "2026-11", "7"
    int candidateCount = 0;
    int candidateRight = 0;
    int productionCount = 0;
    int productionRight = 0;
};

// Everything an ML QA user weighs before approving or rejecting a model.
struct ReleaseEvidence
{
    storage::ModelRecord model;
    std::optional<storage::TrainingRunRecord> run;
    QString trainedOn;                  // the version's tag; empty when not on a version here
    std::optional<qint64> productionId; // none without a production model
    // The candidate as A, production as B; the candidate against itself without production.
    ModelComparisonResult comparison;
    models::Baselines baselines; // fitted on the version's training part, on its held-out split
    HumanBaseline human;
    std::vector<SliceAccuracy> slices;
    std::vector<ChecklistItem> checklist; // on the candidate's held-out figures
    ReleaseStatus status = ReleaseStatus::PendingValidation;
    std::vector<ReleaseDecision> decisions; // oldest first
    bool waived = false;
    bool cancelled = false;

    bool comparedWithProduction() const { return productionId && *productionId != model.id; }
};

HumanBaseline humanBaseline(const QualityReport &report);
// By image source, by month imported (UTC) and by predicted class; slices by count, months
// and classes in their order. Images the workspace does not hold form a source of their own.
std::vector<SliceAccuracy> accuracyBySlice(const ModelComparisonResult &comparison,
                                           const QHash<qint64, storage::ImageOrigin> &origins);

// The ML QA's side of a release (ViewValidation): the models waiting for a decision and the
// recent decisions, and for one model the evaluation against production on its version's
// held-out split, the baselines, the people's own accuracy, accuracy by slice and the
// workspace's checklist. Deciding is ReleaseSignOff::decide.
class ReleaseValidation final
{
public:
    ReleaseValidation(const QSqlDatabase &db, QString workspaceRoot);

    // Pending models newest first, then up to `recent` decided ones, latest decision first.
    std::vector<ReleaseCandidate> candidates(const Principal &who, int recent = 20) const;
    // Throws InvalidRequest when neither the model nor production was trained on a dataset
    // version here (there is no held-out split to judge it on), and what ModelComparison throws.
    ReleaseEvidence evidence(const Principal &who, qint64 modelId,
                             const ModelComparison::Progress &progress = {},
                             const std::atomic<bool> *cancel = nullptr) const;

private:
    models::Baselines baselinesOn(const Principal &who, const QString &tag) const;

    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
