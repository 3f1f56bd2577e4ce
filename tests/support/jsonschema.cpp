#include "tests/support/jsonschema.h"

#include <QJsonArray>
#include <QSet>

#include <cmath>

namespace digitdesk::testing {

namespace {

// Schemas refer to themselves (tensor_data); a document that loops forever is a mistake.
constexpr int MaxDepth = 64;

const QSet<QString> &knownKeywords()
{
    static const QSet<QString> known = {QStringLiteral("$ref"),
                                        QStringLiteral("type"),
                                        QStringLiteral("nullable"),
                                        QStringLiteral("enum"),
                                        QStringLiteral("properties"),
                                        QStringLiteral("required"),
                                        QStringLiteral("additionalProperties"),
                                        QStringLiteral("items"),
                                        QStringLiteral("anyOf"),
                                        QStringLiteral("description"),
                                        QStringLiteral("format"),
                                        QStringLiteral("title")};
    return known;
}

QString kindOf(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

} // namespace

QJsonObject JsonSchemaValidator::resolve(const QString &reference) const
{
    if (!reference.startsWith(QStringLiteral("#/"))) {
        return {};
    }
    QJsonValue at = m_document;
    for (const QString &step : reference.mid(2).split(QLatin1Char('/'))) {
        at = at.toObject().value(step);
    }
    return at.toObject();
}

QJsonObject JsonSchemaValidator::follow(const QJsonObject &object) const
{
    const QJsonValue reference = object.value(QStringLiteral("$ref"));
    return reference.isString() ? resolve(reference.toString()) : object;
}

QStringList JsonSchemaValidator::validate(const QJsonValue &value, const QJsonObject &schema) const
{
    QStringList errors;
    check(value, schema, QStringLiteral("$"), 0, &errors);
    return errors;
}

bool JsonSchemaValidator::matchesType(const QJsonValue &value, const QString &type) const
{
    if (type == QStringLiteral("integer")) {
        return value.isDouble() && std::floor(value.toDouble()) == value.toDouble();
    }
    return kindOf(value) == type;
}

void JsonSchemaValidator::check(const QJsonValue &value, const QJsonObject &schema,
                                const QString &where, int depth, QStringList *errors) const
{
    if (depth > MaxDepth) {
        errors->append(where + QStringLiteral(": schemas nested deeper than 64 levels"));
        return;
    }
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        if (!knownKeywords().contains(it.key())) {
            errors->append(where + QStringLiteral(": the validator does not know the keyword ") +
                           it.key());
        }
    }
    if (schema.contains(QStringLiteral("$ref"))) {
        const QString reference = schema.value(QStringLiteral("$ref")).toString();
        const QJsonObject target = resolve(reference);
        if (target.isEmpty()) {
            errors->append(where + QStringLiteral(": $ref ") + reference +
                           QStringLiteral(" points nowhere"));
            return;
        }
        check(value, target, where, depth + 1, errors);
        return;
    }
    if (value.isNull() && schema.value(QStringLiteral("nullable")).toBool()) {
        return;
    }
    if (schema.contains(QStringLiteral("type"))) {
        const QString type = schema.value(QStringLiteral("type")).toString();
        if (!matchesType(value, type)) {
            errors->append(where + QStringLiteral(": expected ") + type + QStringLiteral(", got ") +
                           kindOf(value));
            return;
        }
    }
    if (schema.contains(QStringLiteral("enum")) &&
        !schema.value(QStringLiteral("enum")).toArray().contains(value)) {
        errors->append(where + QStringLiteral(": ") + value.toVariant().toString() +
                       QStringLiteral(" is not one of the schema's enum"));
    }
    if (schema.contains(QStringLiteral("anyOf"))) {
        bool any = false;
        for (const QJsonValue &option : schema.value(QStringLiteral("anyOf")).toArray()) {
            QStringList optionErrors;
            check(value, option.toObject(), where, depth + 1, &optionErrors);
            any = any || optionErrors.isEmpty();
        }
        if (!any) {
            errors->append(where + QStringLiteral(": matches none of anyOf"));
        }
    }
    if (value.isArray() && schema.contains(QStringLiteral("items"))) {
        const QJsonArray array = value.toArray();
        const QJsonObject items = schema.value(QStringLiteral("items")).toObject();
        for (qsizetype i = 0; i < array.size(); ++i) {
            check(array.at(i), items,
                  where + QLatin1Char('[') + QString::number(i) + QLatin1Char(']'), depth + 1,
                  errors);
        }
    }
    if (!value.isObject()) {
        return;
    }
    const QJsonObject object = value.toObject();
    for (const QJsonValue &name : schema.value(QStringLiteral("required")).toArray()) {
        if (!object.contains(name.toString())) {
            errors->append(where + QStringLiteral(": the required member ") + name.toString() +
                           QStringLiteral(" is missing"));
        }
    }
    const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    const QJsonValue additional = schema.value(QStringLiteral("additionalProperties"));
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString at = where + QLatin1Char('.') + it.key();
        if (properties.contains(it.key())) {
            check(it.value(), properties.value(it.key()).toObject(), at, depth + 1, errors);
        } else if (additional.isBool() && !additional.toBool()) {
            errors->append(at + QStringLiteral(": not in the schema, which allows no others"));
        } else if (additional.isObject()) {
            check(it.value(), additional.toObject(), at, depth + 1, errors);
        }
    }
}

} // namespace digitdesk::testing
