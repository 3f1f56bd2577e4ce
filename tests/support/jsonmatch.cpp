#include "tests/support/jsonmatch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace digitdesk::testing {

namespace {

QString kind(const QJsonValue &value)
{
    static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
    return value.isUndefined() ? QStringLiteral("nothing")
                               : QString::fromLatin1(names[std::min<int>(value.type(), 5)]);
}

QString text(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

} // namespace

void shapedLike(const QJsonValue &answer, const QJsonValue &example, const QString &where,
                QStringList *errors)
{
    if (answer.type() != example.type()) {
        errors->append(where + QStringLiteral(": ") + kind(answer) +
                       QStringLiteral(" where the protocol's example has ") + kind(example));
        return;
    }
    if (example.isObject()) {
        const QJsonObject ours = answer.toObject();
        const QJsonObject theirs = example.toObject();
        for (auto it = theirs.begin(); it != theirs.end(); ++it) {
            if (!ours.contains(it.key())) {
                errors->append(where + QLatin1Char('.') + it.key() + QStringLiteral(" is missing"));
            } else {
                shapedLike(ours.value(it.key()), it.value(), where + QLatin1Char('.') + it.key(),
                           errors);
            }
        }
    } else if (example.isArray() && !example.toArray().isEmpty()) {
        const QJsonArray ours = answer.toArray();
        for (qsizetype i = 0; i < ours.size(); ++i) {
            shapedLike(ours.at(i), example.toArray().at(0), where + QStringLiteral("[%1]").arg(i),
                       errors);
        }
    }
}

void holdsValues(const QJsonValue &answer, const QJsonValue &expected, const QString &where,
                 QStringList *errors)
{
    if (expected.isObject() && answer.isObject()) {
        const QJsonObject ours = answer.toObject();
        const QJsonObject wanted = expected.toObject();
        for (auto it = wanted.begin(); it != wanted.end(); ++it) {
            holdsValues(ours.value(it.key()), it.value(), where + QLatin1Char('.') + it.key(),
                        errors);
        }
    } else if (expected.isArray() && answer.isArray() &&
               expected.toArray().size() == answer.toArray().size()) {
        for (qsizetype i = 0; i < expected.toArray().size(); ++i) {
            holdsValues(answer.toArray().at(i), expected.toArray().at(i),
                        where + QStringLiteral("[%1]").arg(i), errors);
        }
    } else if (answer != expected) {
        errors->append(where + QStringLiteral(": ") + text(answer) + QStringLiteral(", expected ") +
                       text(expected));
    }
}

} // namespace digitdesk::testing
