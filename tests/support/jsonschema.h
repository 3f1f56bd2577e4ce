#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// The part of JSON Schema that OpenAPI 3.0 documents use, enough to check an endpoint's real
// answers against its own document: type (with nullable), enum, properties, required,
// additionalProperties (true, false or a schema), items, anyOf and $ref to
// #/components/... in the document. Annotations (description, format, title) are ignored; any
// other keyword is reported, so a schema this validator cannot judge never passes unread.
class JsonSchemaValidator final
{
public:
    explicit JsonSchemaValidator(QJsonObject document) : m_document(std::move(document)) {}

    // Empty when `value` matches; else one line per mismatch, each naming where ($.a[0].b).
    QStringList validate(const QJsonValue &value, const QJsonObject &schema) const;

    // The object a local reference such as "#/components/responses/x" points to; empty when
    // there is none.
    QJsonObject resolve(const QString &reference) const;
    // `object` itself, or what its $ref points to.
    QJsonObject follow(const QJsonObject &object) const;

private:
    void check(const QJsonValue &value, const QJsonObject &schema, const QString &where, int depth,
               QStringList *errors) const;
    bool matchesType(const QJsonValue &value, const QString &type) const;

    QJsonObject m_document;
};

} // namespace digitdesk::testing
