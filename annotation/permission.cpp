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
    }
    return {};
}

bool isAllowed(Role role, Action action)
{
    switch (action) {
    case Action::ViewImages:
    case Action::Annotate:
    case Action::ChangeOwnPassword:
        return true;
    case Action::Review:
    case Action::ManageGold:
    case Action::ViewQualityFigures:
    case Action::ViewDatasets:
    case Action::CommitDataset:
        return role == Role::Reviewer || role == Role::MlEngineer || role == Role::Admin;
    case Action::ImportImages:
    case Action::ManageDatasets:
    case Action::TrainModel:
    case Action::ImportModel:
    case Action::MoveModelAlias:
    case Action::ViewModels:
    case Action::ViewMonitoring:
    case Action::SetRetrainingPolicy:
    case Action::ControlServing:
    case Action::CheckWorkspace:
    case Action::BackupWorkspace:
        return role == Role::MlEngineer || role == Role::Admin;
    case Action::ManageUsers:
    case Action::ViewAuditLog:
        return role == Role::Admin;
    }
    return false;
}

} // namespace digitdesk::annotation
