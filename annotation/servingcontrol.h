#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::annotation {

// Starting and stopping the serving endpoint from the GUI: only ml_engineer and admin may,
// checked here and audited, whatever the UI offers. The caller starts or stops the process
// only after the call returns.
class ServingControl final
{
public:
    explicit ServingControl(const QSqlDatabase &db) : m_access(db) {}

    // `detail` says which endpoint, e.g. "127.0.0.1:8080" or "pid 4242".
    void authorizeStart(const Principal &who, const QString &detail) const;
    void authorizeStop(const Principal &who, const QString &detail) const;

private:
    void authorize(const Principal &who, const QString &verb, const QString &detail) const;

    AccessControl m_access;
};

} // namespace digitdesk::annotation
