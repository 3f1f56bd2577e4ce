#pragma once

#include "annotation/role.h"
#include "storage/actorref.h"

#include <QString>

namespace digitdesk::annotation {

// The one on whose behalf a service call runs: a logged-in user in a login session, or the
// command-line operator (whoever can write the workspace folder, and so could edit the
// database by hand), who acts as admin and is audited as "operator:<login name>".
struct Principal
{
    QString name;
    Role role = Role::Annotator;
    qint64 userId = 0;
    qint64 sessionId = 0;

    static Principal localOperator();
    bool isOperator() const { return userId == 0; }
    storage::ActorRef actorRef() const { return {name, userId, sessionId}; }
};

} // namespace digitdesk::annotation
