#pragma once

#include "storage/workspace.h"
#include "tests/support/testdatabase.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace digitdesk::testing {

// A fresh workspace in a temporary folder that is removed with it; on PostgreSQL (see
// testdatabase.h) its database is a new one of its own, dropped with it.
struct TempWorkspace
{
    TempWorkspace();
    QTemporaryDir dir;
    TestDatabase database;
    std::unique_ptr<storage::Workspace> workspace;
    QString folder() const { return dir.path() + QStringLiteral("/ws"); }
};

} // namespace digitdesk::testing
