#include "annotation/permission.h"

namespace digitdesk::annotation {

QString toString(Action action)
{
    switch (action) {
    case Action::ViewImages:
        return QStringLiteral("view_images");
    case Action::ImportImages:
        return QStringLiteral("import_images");
    case Action::Annotate:
        return QStringLiteral("annotate");
    case Action::Review:
        return QStringLiteral("review");
    case Action::ManageGold:
        return QStringLiteral("manage_gold");
    case Action::ViewQualityFigures:
        return QStringLiteral("view_quality_figures");
    case Action::ViewDatasets:
        return QStringLiteral("view_datasets");
    case Action::CommitDataset:
        return QStringLiteral("commit_dataset");
    case Action::ManageDatasets:
        return QStringLiteral("manage_datasets");
    case Action::TrainModel:
        return QStringLiteral("train_model");
    case Action::ImportModel:
        return QStringLiteral("import_model");
    case Action::MoveModelAlias:
        return QStringLiteral("move_model_alias");
    case Action::ViewModels:
        return QStringLiteral("view_models");
    case Action::ViewMonitoring:
        return QStringLiteral("view_monitoring");
    case Action::SetRetrainingPolicy:
        return QStringLiteral("set_retraining_policy");
    case Action::ControlServing:
        return QStringLiteral("control_serving");
    case Action::ManageUsers:
        return QStringLiteral("manage_users");
    case Action::ViewAuditLog:
        return QStringLiteral("view_audit_log");
    case Action::CheckWorkspace:
        return QStringLiteral("check_workspace");
    case Action::BackupWorkspace:
        return QStringLiteral("backup_workspace");
    case Action::ChangeOwnPassword:
        return QStringLiteral("change_own_password");
    case Action::ValidateModel:
        return QStringLiteral("validate_model");
    case Action::ViewOverview:
        return QStringLiteral("view_overview");
    case Action::SetTeamTargets:
        return QStringLiteral("set_team_targets");
    case Action::ViewValidation:
        return QStringLiteral("view_validation");
    case Action::RunDataCheck:
        return QStringLiteral("run_data_check");
    case Action::SendToReview:
        return QStringLiteral("send_to_review");
    case Action::ControlInbox:
        return QStringLiteral("control_inbox");
    }
    return {};
}

bool isAllowed(Role role, Action action)
{
    const bool engineer = role == Role::MlEngineer || role == Role::Admin;
    // ML QA and managers read what they judge; neither labels, reviews, trains nor promotes.
    const bool reader = role == Role::MlQa || role == Role::Manager;
    switch (action) {
    case Action::ChangeOwnPassword:
        return true;
    case Action::ViewImages:
        return role != Role::Manager;
    case Action::Annotate:
        return role == Role::Annotator || role == Role::Reviewer || engineer;
    case Action::Review:
    case Action::ManageGold:
    case Action::CommitDataset:
        return role == Role::Reviewer || engineer;
    case Action::ViewQualityFigures:
    case Action::ViewDatasets:
        return role == Role::Reviewer || engineer || reader;
    case Action::ViewModels:
    case Action::ViewMonitoring:
        return engineer || reader;
    case Action::ImportImages:
    case Action::ManageDatasets:
    case Action::TrainModel:
    case Action::ImportModel:
    case Action::MoveModelAlias:
    case Action::SetRetrainingPolicy:
    case Action::ControlServing:
    case Action::ControlInbox:
    case Action::CheckWorkspace:
    case Action::BackupWorkspace:
        return engineer;
    // Admin too, because the command line's operator acts as admin; whoever trained a model
    // still may not approve it (ReleaseSignOff checks the person, not the role).
    case Action::ValidateModel:
        return role == Role::MlQa || role == Role::Admin;
    case Action::ViewValidation:
        return engineer || reader;
    // ML QA check the data a model learns from as they check the model.
    case Action::RunDataCheck:
    case Action::SendToReview:
        return engineer || role == Role::MlQa;
    case Action::ViewOverview:
    case Action::SetTeamTargets:
        return role == Role::Manager || role == Role::Admin;
    case Action::ManageUsers:
    case Action::ViewAuditLog:
        return role == Role::Admin;
    }
    return false;
}

} // namespace digitdesk::annotation
