#pragma once

// The schema of a workspace database as facts, one line each in the same words for SQLite and
// PostgreSQL, so that tst_schemaparity compares the two engines line by line. Header-only, like
// postgrescluster.h.

#include "storage/sqlquery.h"

#include <QHash>
#include <QRegularExpression>
#include <QSqlRecord>
#include <QStringList>
#include <QTest>

#include <initializer_list>
#include <utility>

namespace digitdesk::testing {

using Rows = QList<QStringList>;

inline Rows rows(const QSqlDatabase &db, const QString &sql,
                 std::initializer_list<std::pair<QString, QVariant>> values = {})
{
    storage::SqlQuery query(db, sql, QStringLiteral("read the schema"));
    query.bindAll(values);
    query.exec();
    Rows result;
    while (query.next()) {
        QStringList row;
        for (int i = 0; i < query.raw().record().count(); ++i) {
            row << query.value(i).toString();
        }
        result << row;
    }
    return result;
}

inline QStringList column(const Rows &rows, int index = 0)
{
    QStringList values;
    for (const QStringList &row : rows) {
        values << row.at(index);
    }
    return values;
}

// Every fact on one side and not on the other, so a failure names all the differences at once.
inline void compareFacts(QStringList sqlite, QStringList postgresql)
{
    QVERIFY(!sqlite.isEmpty());
    sqlite.sort();
    postgresql.sort();
    if (sqlite == postgresql) {
        return;
    }
    QStringList report;
    for (const QString &fact : sqlite) {
        if (!postgresql.contains(fact)) {
            report << QStringLiteral("only on SQLite:     ") + fact;
        }
    }
    for (const QString &fact : postgresql) {
        if (!sqlite.contains(fact)) {
            report << QStringLiteral("only on PostgreSQL: ") + fact;
        }
    }
    QFAIL(qPrintable(QStringLiteral("the schemas differ:\n") + report.join(QLatin1Char('\n'))));
}

inline QStringList sqliteTables(const QSqlDatabase &db)
{
    return column(rows(db, QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"
                                          " AND name NOT LIKE 'sqlite_%' ORDER BY name")));
}

// SQLite's declared type, or PostgreSQL's data_type, as the class of value it holds. A 4-byte
// `real` on PostgreSQL is no class of SQLite's, so it shows as a difference.
inline QString typeClass(const QString &type)
{
    static const QHash<QString, QString> classes = {
        {QStringLiteral("INTEGER"), QStringLiteral("integer")},
        {QStringLiteral("REAL"), QStringLiteral("real")},
        {QStringLiteral("TEXT"), QStringLiteral("text")},
        {QStringLiteral("BLOB"), QStringLiteral("blob")},
        {QStringLiteral("bigint"), QStringLiteral("integer")},
        {QStringLiteral("integer"), QStringLiteral("integer")},
        {QStringLiteral("double precision"), QStringLiteral("real")},
        {QStringLiteral("text"), QStringLiteral("text")},
        {QStringLiteral("bytea"), QStringLiteral("blob")}};
    return classes.value(type, type);
}

// A default as written in the schema: PostgreSQL's casts go ('{}'::text, '-1'::integer), and a
// quoted number is the number.
inline QString normalisedDefault(QString value)
{
    static const QRegularExpression cast(QStringLiteral("::[a-z ]+$"));
    static const QRegularExpression quotedNumber(QStringLiteral("^'(-?[0-9.]+)'$"));
    value.remove(cast);
    value.replace(quotedNumber, QStringLiteral("\\1"));
    return value.isEmpty() ? QStringLiteral("none") : value;
}

// "table.column #position class NOT NULL|NULL default X". A primary key column counts as NOT
// NULL on SQLite too: PostgreSQL implies it, and DigitDesk never stores a NULL key.
inline QStringList sqliteColumns(const QSqlDatabase &db)
{
    QStringList facts;
    for (const QString &table : sqliteTables(db)) {
        for (const QStringList &c :
             rows(db,
                  QStringLiteral("SELECT cid, name, type, \"notnull\" OR pk > 0, dflt_value"
                                 " FROM pragma_table_info(:table) ORDER BY cid"),
                  {{QStringLiteral(":table"), table}})) {
            facts << QStringLiteral("%1.%2 #%3 %4 %5 default %6")
                         .arg(table, c[1], c[0], typeClass(c[2]),
                              c[3] == QStringLiteral("1") ? QStringLiteral("NOT NULL")
                                                          : QStringLiteral("NULL"),
                              normalisedDefault(c[4]));
        }
    }
    return facts;
}

inline QStringList postgresqlColumns(const QSqlDatabase &db)
{
    QStringList facts;
    for (const QStringList &c :
         rows(db,
              QStringLiteral("SELECT table_name, column_name, ordinal_position - 1,"
                             " data_type, is_nullable, COALESCE(column_default, '')"
                             " FROM information_schema.columns WHERE table_schema = 'public'"))) {
        facts << QStringLiteral("%1.%2 #%3 %4 %5 default %6")
                     .arg(c[0], c[1], c[2], typeClass(c[3]),
                          c[4] == QStringLiteral("NO") ? QStringLiteral("NOT NULL")
                                                       : QStringLiteral("NULL"),
                          normalisedDefault(c[5]));
    }
    return facts;
}

// "primary key table(a, b)", "unique table(a)" and "index name on table(a, b)"; SQLite's own
// names for the indexes of its constraints (sqlite_autoindex_*) have no counterpart.
inline QStringList sqliteKeysAndIndexes(const QSqlDatabase &db)
{
    QStringList facts;
    for (const QString &table : sqliteTables(db)) {
        const QStringList key = column(rows(
            db,
            QStringLiteral("SELECT name FROM pragma_table_info(:table) WHERE pk > 0 ORDER BY pk"),
            {{QStringLiteral(":table"), table}}));
        facts << QStringLiteral("primary key %1(%2)").arg(table, key.join(QStringLiteral(", ")));
        for (const QStringList &index :
             rows(db,
                  QStringLiteral("SELECT name, \"unique\", origin FROM pragma_index_list(:table)"),
                  {{QStringLiteral(":table"), table}})) {
            const QString columns =
                column(rows(db,
                            QStringLiteral(
                                "SELECT name FROM pragma_index_info(:index) ORDER BY seqno"),
                            {{QStringLiteral(":index"), index[0]}}))
                    .join(QStringLiteral(", "));
            if (index[2] == QStringLiteral("u")) {
                facts << QStringLiteral("unique %1(%2)").arg(table, columns);
            } else if (index[2] == QStringLiteral("c")) {
                facts << QStringLiteral("index %1 on %2(%3)%4")
                             .arg(index[0], table, columns,
                                  index[1] == QStringLiteral("1") ? QStringLiteral(" unique")
                                                                  : QString());
            }
        }
    }
    return facts;
}

inline QStringList postgresqlKeysAndIndexes(const QSqlDatabase &db)
{
    QStringList facts;
    for (const QStringList &index :
         rows(db,
              QStringLiteral(
                  "SELECT t.relname, i.relname, x.indisunique, x.indisprimary,"
                  " EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
                  "  AND c.conrelid = x.indrelid AND c.contype = 'u'),"
                  " (SELECT string_agg(a.attname, ', ' ORDER BY k.n)"
                  "  FROM unnest(CAST(x.indkey AS int2[])) WITH ORDINALITY AS k(attnum, n)"
                  "  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)"
                  " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                  " JOIN pg_class t ON t.oid = x.indrelid"
                  " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'"))) {
        if (index[3] == QStringLiteral("true")) {
            facts << QStringLiteral("primary key %1(%2)").arg(index[0], index[5]);
        } else if (index[4] == QStringLiteral("true")) {
            facts << QStringLiteral("unique %1(%2)").arg(index[0], index[5]);
        } else {
            facts << QStringLiteral("index %1 on %2(%3)%4")
                         .arg(index[1], index[0], index[5],
                              index[2] == QStringLiteral("true") ? QStringLiteral(" unique")
                                                                 : QString());
        }
    }
    return facts;
}

// "table(column) -> target(column)"; every DigitDesk foreign key has one column.
inline QStringList sqliteForeignKeys(const QSqlDatabase &db)
{
    QStringList facts;
    for (const QString &table : sqliteTables(db)) {
        for (const QStringList &key : rows(db,
                                           QStringLiteral("SELECT \"from\", \"table\", \"to\", seq"
                                                          " FROM pragma_foreign_key_list(:table)"),
                                           {{QStringLiteral(":table"), table}})) {
            facts << QStringLiteral("%1(%2) -> %3(%4)%5")
                         .arg(table, key[0], key[1], key[2],
                              key[3] == QStringLiteral("0") ? QString()
                                                            : QStringLiteral(" and more"));
        }
    }
    return facts;
}

inline QStringList postgresqlForeignKeys(const QSqlDatabase &db)
{
    return column(rows(
        db, QStringLiteral("SELECT t.relname || '(' || a.attname || ') -> ' || r.relname || '(' ||"
                           " ra.attname || ')' || CASE WHEN cardinality(c.conkey) = 1 THEN ''"
                           " ELSE ' and more' END"
                           " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                           " JOIN pg_class r ON r.oid = c.confrelid"
                           " JOIN pg_attribute a ON a.attrelid = c.conrelid"
                           "  AND a.attnum = c.conkey[1]"
                           " JOIN pg_attribute ra ON ra.attrelid = c.confrelid"
                           "  AND ra.attnum = c.confkey[1]"
                           " WHERE c.contype = 'f'")));
}

// "trigger on table".
inline QStringList sqliteTriggers(const QSqlDatabase &db)
{
    return column(rows(db, QStringLiteral("SELECT name || ' on ' || tbl_name FROM sqlite_master"
                                          " WHERE type = 'trigger'")));
}

inline QStringList postgresqlTriggers(const QSqlDatabase &db)
{
    return column(rows(db, QStringLiteral("SELECT g.tgname || ' on ' || t.relname"
                                          " FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid"
                                          " WHERE NOT g.tgisinternal")));
}

} // namespace digitdesk::testing
