#pragma once

// The TorchScript models of tests/fixtures/make_served_models.py, with known answers, imported
// into a test's workspace. Header-only, like signoff.h.

#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// Writes the models into `folder` and imports the ones named ("sure7.pt", ...): their registry
// ids by name. Empty when the script failed.
inline QMap<QString, qint64> importServedModels(const storage::Workspace &workspace,
                                                const annotation::Principal &engineer,
                                                const QString &folder, const QStringList &names)
{
    if (!runPython(fixtureScript(QStringLiteral("make_served_models.py")), {folder})) {
        return {};
    }
    annotation::ModelRegistry registry(workspace.db(), workspace.root());
    QMap<QString, qint64> ids;
    for (const QString &name : names) {
        ids.insert(name,
                   registry.importTorchScript(engineer, folder + QLatin1Char('/') + name, name));
    }
    return ids;
}

} // namespace digitdesk::testing
