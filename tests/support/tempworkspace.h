#pragma once

#include "storage/workspace.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace digitdesk::testing {

// A fresh workspace in a temporary folder that is removed with it.
struct TempWorkspace
{
    TempWorkspace();
    QTemporaryDir dir;
    std::unique_ptr<storage::Workspace> workspace;
    QString folder() const { return dir.path() + QStringLiteral("/ws"); }
};

} // namespace digitdesk::testing
