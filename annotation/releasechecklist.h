#pragma once

#include "annotation/comparisonfigures.h"
#include "annotation/principal.h"
#include "storage/modelrepository.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

// One requirement of the workspace's release checklist, checked on a model's held-out figures.
struct ChecklistItem
{
    QString name;        // "held-out accuracy"
    QString requirement; // "at least 97.00%"
    QString actual;      // "97.85% (95% interval 97.02-98.46%) on 1,600 images"
    bool passed = false;
};

// What a release must meet: the workspace's settings, these defaults while they are not set.
struct ChecklistSettings
{
    static constexpr const char *MinAccuracySetting = "release.min_accuracy";
    static constexpr const char *MaxEceSetting = "release.max_ece";
    static constexpr const char *ClassFloorSetting = "release.class_floor";

    double minHeldOutAccuracy = 0.97;
    double maxEce = 0.05;
    double perClassRecallFloor = 0.90;

    // A setting that is missing or not a number from 0 to 1 reads as its default.
    static ChecklistSettings read(const QSqlDatabase &db);
    // ML QA (and admin) define what a release must meet: requires ValidateModel; audited.
    // Throws InvalidRequest for a value outside 0-1, naming the setting.
    void write(const QSqlDatabase &db, const Principal &who) const;
};

// Held-out accuracy, ECE and every class's recall against the settings, in that order. A class
// with no held-out image fails: nothing shows it meets the floor.
std::vector<ChecklistItem> checkRelease(const ModelFigures &heldOut,
                                        const ChecklistSettings &settings);

// The data check of the version a model learnt from (annotation/datacheckthresholds.h): passes
// when its newest check is within the workspace's thresholds, or when it was never checked (the
// row says so).
ChecklistItem dataCheckItem(const QSqlDatabase &db, const QString &datasetTag);

// The held-out figures the trainer recorded with the model (its metrics, calibrated), without
// evaluating anything; nullopt for a model without them (imported). Their ECE is the trainer's,
// over 15 bins rather than ModelFigures' 10.
std::optional<ModelFigures> recordedHeldOutFigures(const storage::ModelRecord &model);

// The held-out accuracy the trainer recorded in a model's metrics JSON; -1 when there is none.
double recordedHeldOutAccuracy(const QString &metrics);

} // namespace digitdesk::annotation
