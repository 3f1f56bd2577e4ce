#pragma once

#include "annotation/role.h"

#include <QString>

#include <array>

namespace digitdesk::annotation {

// Every action a service performs for someone. Each service call names one and goes through
// AccessControl::require(), whatever the UI shows or hides.
enum class Action
{
    ViewImages,
    ImportImages,
    Annotate,
    Review,
    ManageGold,
    ViewQualityFigures,
    ViewDatasets,
    CommitDataset,
    ManageDatasets,
    TrainModel,
    ImportModel,
    MoveModelAlias,
    ViewModels,
    ViewMonitoring,
    SetRetrainingPolicy,
    ControlServing,
    ManageUsers,
    ViewAuditLog,
    CheckWorkspace,
    BackupWorkspace,
    ChangeOwnPassword,
    ValidateModel,  // approve or reject a model for release
    ViewOverview,   // the team's figures
    SetTeamTargets, // the daily target and the queue settings
    ViewValidation, // a model's sign-off, checklist and evaluation report
    RunDataCheck,   // `dataset check`: label errors, duplicates, balance, outliers
    SendToReview,   // send a check's suspected label errors back to the review queue
    ControlInbox,   // start and stop the watched inbox, see its state
};

inline constexpr std::array AllActions = {
    Action::ViewImages,     Action::ImportImages,    Action::Annotate,
    Action::Review,         Action::ManageGold,      Action::ViewQualityFigures,
    Action::ViewDatasets,   Action::CommitDataset,   Action::ManageDatasets,
    Action::TrainModel,     Action::ImportModel,     Action::MoveModelAlias,
    Action::ViewModels,     Action::ViewMonitoring,  Action::SetRetrainingPolicy,
    Action::ControlServing, Action::ManageUsers,     Action::ViewAuditLog,
    Action::CheckWorkspace, Action::BackupWorkspace, Action::ChangeOwnPassword,
    Action::ValidateModel,  Action::ViewOverview,    Action::SetTeamTargets,
    Action::ViewValidation, Action::RunDataCheck,    Action::SendToReview,
    Action::ControlInbox,
};

QString toString(Action action);

// The permission matrix: which role may do what.
bool isAllowed(Role role, Action action);

} // namespace digitdesk::annotation
