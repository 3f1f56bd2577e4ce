#pragma once

// A workspace with the served models of tests/fixtures/make_served_models.py (sure7, sure3,
// unsure, spare, or the ones a suite names) and an engineer who moves their aliases, for the
// endpoint's black-box suites.
// Header-only, like servedmodels.h.

#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "storage/sqlquery.h"
#include "tests/support/servedmodels.h"
#include "tests/support/servefixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace digitdesk::testing {

class ServeModelsFixture final
{
public:
    // The models of a suite that names none.
    static QStringList defaultModels()
    {
        return {QStringLiteral("sure7.pt"), QStringLiteral("sure3.pt"), QStringLiteral("unsure.pt"),
                QStringLiteral("spare.pt")};
    }

    // Imports `names` and moves production to sure7 (when imported). False when the models
    // could not be made or imported.
    bool setUp(const QStringList &names = defaultModels())
    {
        temp = std::make_unique<TempWorkspace>();
        engineer = addUser(*temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
        const auto ids = importServedModels(*temp->workspace, engineer,
                                            temp->dir.path() + QStringLiteral("/models"), names);
        if (ids.size() != names.size()) {
            return false;
        }
        sure7 = ids.value(QStringLiteral("sure7.pt"));
        sure3 = ids.value(QStringLiteral("sure3.pt"));
        unsure = ids.value(QStringLiteral("unsure.pt"));
        spare = ids.value(QStringLiteral("spare.pt"));
        fails3 = ids.value(QStringLiteral("fails3.pt"));
        slow3 = ids.value(QStringLiteral("slow3.pt"));
        nan3 = ids.value(QStringLiteral("nan3.pt"));
        // The endpoint follows production; who approved the models is not its business.
        waiveSignOff(*temp->workspace);
        if (sure7 != 0) {
            promote(sure7);
        }
        return true;
    }

    void promote(qint64 id)
    {
        annotation::ModelRegistry(temp->workspace->db(), temp->workspace->root())
            .moveAlias(engineer, annotation::ProductionAlias, id, QStringLiteral("test"));
    }

    // Moves `alias` only when it names another model, so the alias history stays short.
    void setAlias(const QString &alias, qint64 id)
    {
        annotation::ModelRegistry registry(temp->workspace->db(), temp->workspace->root());
        const auto aliases = registry.snapshot(engineer).aliases;
        const auto current = aliases.find(alias);
        if (current == aliases.end() || current->second != id) {
            registry.moveAlias(engineer, alias, id, QStringLiteral("test"));
        }
    }

    // Production moved to `production`, then `digitdesk serve` started on the workspace with
    // `extra` options: false as ServeProcess::start.
    bool serve(ServeProcess &process, qint64 production, const QStringList &extra = {})
    {
        promote(production);
        return process.start(folder(), extra);
    }

    // The first column of the first row of a `SELECT COUNT(...)`; -1 when there is none.
    qint64 count(const QString &sql)
    {
        storage::SqlQuery query(temp->workspace->db(), sql, QStringLiteral("count for the test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }

    // Images the endpoint captured into the workspace.
    qint64 servingImages()
    {
        return count(QStringLiteral("SELECT COUNT(*) FROM images WHERE source = 'serving'"));
    }

    QString folder() const { return temp->folder(); }

    std::unique_ptr<TempWorkspace> temp;
    annotation::Principal engineer;
    // Registry ids of the models imported; 0 for those setUp() was not asked for.
    qint64 sure7 = 0;
    qint64 sure3 = 0;
    qint64 unsure = 0;
    qint64 spare = 0;
    qint64 fails3 = 0;
    qint64 slow3 = 0;
    qint64 nan3 = 0;
};

} // namespace digitdesk::testing
