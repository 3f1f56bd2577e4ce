#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// Appends to `errors` (each naming where, from `where`: "$.outputs[0].name") unless `answer`
// has every member the protocol's `example` has, of the same JSON type; lists are compared
// element by element against the example's first element.
void shapedLike(const QJsonValue &answer, const QJsonValue &example, const QString &where,
                QStringList *errors);

// Appends to `errors` unless `answer` holds `expected`: objects member by member (others may be
// there too), lists element by element and of the same length, other values exactly.
void holdsValues(const QJsonValue &answer, const QJsonValue &expected, const QString &where,
                 QStringList *errors);

} // namespace digitdesk::testing
