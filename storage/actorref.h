#pragma once

#include <QString>

namespace digitdesk::storage {

// Who wrote a row: a workspace user in a login session, or the command-line operator.
struct ActorRef
{
    QString name;
    qint64 userId = 0;    // 0 for the operator
    qint64 sessionId = 0; // 0 when there is no login session
};

} // namespace digitdesk::storage
