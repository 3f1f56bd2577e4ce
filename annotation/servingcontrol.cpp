#include "annotation/servingcontrol.h"

namespace digitdesk::annotation {
namespace {

const QString Target = QStringLiteral("serving");

} // namespace

void ServingControl::authorizeStart(const Principal &who, const QString &detail) const
{
    authorize(who, QStringLiteral("start"), detail);
}

void ServingControl::authorizeStop(const Principal &who, const QString &detail) const
{
    authorize(who, QStringLiteral("stop"), detail);
}

void ServingControl::authorize(const Principal &who, const QString &verb,
                               const QString &detail) const
{
    m_access.require(who, Action::ControlServing, Target);
    m_access.audit(who, Action::ControlServing, Target,
                   detail.isEmpty() ? verb : QStringLiteral("%1 %2").arg(verb, detail));
}

} // namespace digitdesk::annotation
