#pragma once

// Release sign-off for tests whose promotions are set-up rather than the point: either waive it
// for the workspace, as a one-person team does, or approve a model as an ML QA user would.
// Header-only, like datasetfixture.h.

#include "annotation/releasesignoff.h"
#include "storage/userrepository.h"
#include "tests/support/testdata.h"

namespace digitdesk::testing {

// Production may move to any model in this workspace.
inline void waiveSignOff(const storage::Workspace &workspace)
{
    annotation::ReleaseSignOff(workspace.db())
        .setWaived(annotation::Principal::localOperator(), true);
}

// The workspace's ML QA user `qa`, added the first time.
inline annotation::Principal qaUser(const storage::Workspace &workspace)
{
    const auto user = storage::UserRepository(workspace.db()).findByName(QStringLiteral("qa"));
    if (user) {
        return {user->name, annotation::Role::MlQa, user->id, 0};
    }
    return addUser(workspace, QStringLiteral("qa"), annotation::Role::MlQa);
}

// `qa` approves the model for release, so production may move to it.
inline void approveRelease(const storage::Workspace &workspace, qint64 modelId)
{
    annotation::ReleaseSignOff(workspace.db())
        .decide(qaUser(workspace), modelId, true, QStringLiteral("approved by the test"));
}

} // namespace digitdesk::testing
