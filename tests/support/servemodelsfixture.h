#pragma once

// A workspace with the served models of tests/fixtures/make_served_models.py (sure7, sure3,
// unsure, spare) and an engineer who moves their aliases, for the endpoint's black-box suites.
// Header-only, like servedmodels.h.

#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "annotation/role.h"
#include "storage/sqlquery.h"
#include "tests/support/servedmodels.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QString>

#include <memory>

namespace digitdesk::testing {

class ServeModelsFixture final
{
public:
    // False when the models could not be made or imported.
    bool setUp()
    {
        temp = std::make_unique<TempWorkspace>();
        engineer = addUser(*temp->workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
        const auto ids = importServedModels(
            *temp->workspace, engineer, temp->dir.path() + QStringLiteral("/models"),
            {QStringLiteral("sure7.pt"), QStringLiteral("sure3.pt"), QStringLiteral("unsure.pt"),
             QStringLiteral("spare.pt")});
        if (ids.isEmpty()) {
            return false;
        }
        sure7 = ids.value(QStringLiteral("sure7.pt"));
        sure3 = ids.value(QStringLiteral("sure3.pt"));
        unsure = ids.value(QStringLiteral("unsure.pt"));
        spare = ids.value(QStringLiteral("spare.pt"));
        // The endpoint follows production; who approved the models is not its business.
        waiveSignOff(*temp->workspace);
        promote(sure7);
        return true;
    }

    void promote(qint64 id)
    {
        annotation::ModelRegistry(temp->workspace->db(), temp->workspace->root())
            .moveAlias(engineer, annotation::ProductionAlias, id, QStringLiteral("test"));
    }

    // Images the endpoint captured into the workspace.
    qint64 servingImages()
    {
        storage::SqlQuery query(
            temp->workspace->db(),
            QStringLiteral("SELECT COUNT(*) FROM images WHERE source = 'serving'"),
            QStringLiteral("count captured images"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }

    QString folder() const { return temp->folder(); }

    std::unique_ptr<TempWorkspace> temp;
    annotation::Principal engineer;
    qint64 sure7 = 0;
    qint64 sure3 = 0;
    qint64 unsure = 0;
    qint64 spare = 0;
};

} // namespace digitdesk::testing
