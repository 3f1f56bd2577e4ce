#pragma once

#include "annotation/datasetservice.h"
#include "tests/support/datasetfixture.h"

namespace digitdesk::testing {

// The dataset people and v1 of twelve approved images (one "not a digit"), committed by the
// reviewer: what the data-driven tables of the dataset suites read.
inline People addTwelveImageVersion(const storage::Workspace &workspace)
{
    const People people = addPeople(workspace);
    labelAndApprove(workspace, 0, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 3}, people.annotator,
                    people.reviewer);
    annotation::DatasetService(workspace.db(), workspace.root())
        .commit(people.reviewer, QStringLiteral("twelve images"));
    return people;
}

// A workspace holding that v1, made once in initTestCase and shared by a suite's tables.
struct TwelveImageWorkspace : TempWorkspace
{
    TwelveImageWorkspace() : people(addTwelveImageVersion(*workspace)) {}
    People people;
};

} // namespace digitdesk::testing
