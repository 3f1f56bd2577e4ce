#include "storage/databaselocation.h"

#include "storage/storageerror.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QStringList>
#include <QUrl>

#include <algorithm>

namespace digitdesk::storage {
namespace {

const QString UrlShape = QStringLiteral("postgresql://USER@HOST[:PORT]/DB");

QString decoded(const QString &text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

StorageError passwordRefused()
{
    return StorageError(
        QStringLiteral("the database URL holds a password, and DigitDesk never takes one from a "
                       "URL (it would be kept in the workspace folder and show in process lists): "
                       "write ") +
        UrlShape +
        QStringLiteral(" and put the password in ~/.pgpass (or the file PGPASSFILE names) or in "
                       "PGPASSWORD. An '@' or ':' that belongs to a name is written %40 or %3A"));
}

// The query options DigitDesk passes on to libpq, in toString()'s order. Each value is checked
// here, because QPSQL hands the options to libpq as text separated by spaces.
void checkOption(const QString &name, const QString &value)
{
    static const QStringList sslModes = {
        QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
        QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
    static const QRegularExpression seconds(QStringLiteral("^[0-9]{1,5}$"));
    static const QRegularExpression applicationName(QStringLiteral("^[A-Za-z0-9._:-]{1,63}$"));
    if (name == QStringLiteral("sslmode") && !sslModes.contains(value)) {
        throw StorageError(QStringLiteral("the database URL's sslmode %1 is not one of %2")
                               .arg(value, sslModes.join(QStringLiteral(", "))));
    }
    if (name == QStringLiteral("connect_timeout") && !seconds.match(value).hasMatch()) {
        throw StorageError(QStringLiteral("the database URL's connect_timeout %1 is not a "
                                          "number of seconds")
                               .arg(value));
    }
    if (name == QStringLiteral("application_name") && !applicationName.match(value).hasMatch()) {
        throw StorageError(QStringLiteral("the database URL's application_name %1 is not 1 to 63 "
                                          "letters, digits or . _ : -")
                               .arg(value));
    }
}

const QStringList &knownOptions()
{
    static const QStringList names = {QStringLiteral("sslmode"), QStringLiteral("connect_timeout"),
                                      QStringLiteral("application_name")};
    return names;
}

} // namespace

DatabaseLocation DatabaseLocation::parse(const QString &location)
{
    if (location.trimmed().isEmpty()) {
        throw StorageError(QStringLiteral("no database location given: a file path (SQLite) or "
                                          "%1 (PostgreSQL)")
                               .arg(UrlShape));
    }
    static const QRegularExpression scheme(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const QRegularExpressionMatch match = scheme.match(location);
    if (!match.hasMatch()) {
        DatabaseLocation sqlite;
        sqlite.m_filePath = location;
        return sqlite;
    }
    const QString name = match.captured(1).toLower();
    if (name == QStringLiteral("postgresql") || name == QStringLiteral("postgres")) {
        return parseUrl(location, match.capturedLength());
    }
    throw StorageError(QStringLiteral("the database location is a %1:// URL, a kind of database "
                                      "DigitDesk does not know: give a file path (SQLite) or %2")
                           .arg(match.captured(1), UrlShape));
}

DatabaseLocation DatabaseLocation::parseUrl(const QString &url, qsizetype schemeLength)
{
    QString rest = url.mid(schemeLength);
    QString query;
    if (const qsizetype mark = rest.indexOf(QLatin1Char('?')); mark >= 0) {
        query = rest.mid(mark + 1);
        rest.truncate(mark);
    }
    // The user information ends at the last '@'; a ':' before it is a password, wherever the
    // user meant the '@' to be (a '/' in a password would otherwise move it into the path).
    const qsizetype at = rest.lastIndexOf(QLatin1Char('@'));
    if ((at >= 0 && rest.left(at).contains(QLatin1Char(':'))) ||
        query.contains(QRegularExpression(QStringLiteral("(^|&)password="),
                                          QRegularExpression::CaseInsensitiveOption))) {
        throw passwordRefused();
    }
    if (rest.contains(QLatin1Char('#')) || query.contains(QLatin1Char('#'))) {
        throw StorageError(QStringLiteral("the database URL has a fragment (#...), which ") +
                           UrlShape +
                           QStringLiteral(" has no place for; a '#' in a name is written %23"));
    }

    DatabaseLocation location;
    location.m_engine = Engine::PostgreSql;
    const QString userInfo = at >= 0 ? rest.left(at) : QString();
    rest = rest.mid(at + 1);
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString authority = slash >= 0 ? rest.left(slash) : rest;
    const QString path = slash >= 0 ? rest.mid(slash + 1) : QString();
    location.m_user = decoded(userInfo);

    QString host = authority;
    QString port;
    if (authority.startsWith(QLatin1Char('['))) {
        const qsizetype close = authority.indexOf(QLatin1Char(']'));
        if (close < 0) {
            throw StorageError(QStringLiteral("the database URL's host %1 opens a '[' for an IPv6 "
                                              "address and never closes it")
                                   .arg(authority));
        }
        host = authority.mid(1, close - 1);
        const QString after = authority.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':'))) {
            throw StorageError(QStringLiteral("the database URL has %1 after the IPv6 address "
                                              "[%2], where only :PORT may follow")
                                   .arg(after, host));
        }
        port = after.mid(1);
        if (after.startsWith(QLatin1Char(':')) && port.isEmpty()) {
            port = QStringLiteral(":");
        }
    } else if (const qsizetype colon = authority.indexOf(QLatin1Char(':')); colon >= 0) {
        host = authority.left(colon);
        port = authority.mid(colon + 1);
        if (port.isEmpty()) {
            port = QStringLiteral(":");
        }
    }
    location.m_host = decoded(host);
    if (location.m_host.contains(QLatin1Char(','))) {
        throw StorageError(QStringLiteral("the database URL names several hosts (%1); DigitDesk "
                                          "connects to one")
                               .arg(location.m_host));
    }
    if (!port.isEmpty()) {
        bool isNumber = false;
        const int number = port.toInt(&isNumber);
        static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
        // The text itself is not shown: in postgresql://name:secret/db it is a password.
        if (!isNumber || !digits.match(port).hasMatch() || number < 1 || number > 65535) {
            throw StorageError(
                QStringLiteral("the port of the database URL%1 is not a number from 1 to 65535")
                    .arg(location.m_host.isEmpty()
                             ? QString()
                             : QStringLiteral(" on host %1").arg(location.m_host)));
        }
        location.m_port = number;
    }

    if (path.contains(QLatin1Char('/'))) {
        throw StorageError(QStringLiteral("the database URL's path %1 is not one database name "
                                          "(%2)")
                               .arg(path, UrlShape));
    }
    location.m_databaseName = decoded(path);
    if (location.m_databaseName.isEmpty()) {
        throw StorageError(
            QStringLiteral("the database URL names no database: write %1").arg(UrlShape));
    }

    for (const QString &item : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype equals = item.indexOf(QLatin1Char('='));
        const QString name = decoded(equals >= 0 ? item.left(equals) : item);
        if (!knownOptions().contains(name)) {
            throw StorageError(QStringLiteral("the database URL has an option %1 that DigitDesk "
                                              "does not know; it knows %2")
                                   .arg(name, knownOptions().join(QStringLiteral(", "))));
        }
        if (equals < 0) {
            throw StorageError(
                QStringLiteral("the database URL's option %1 has no value (%1=...)").arg(name));
        }
        if (!location.option(name).isNull()) {
            throw StorageError(
                QStringLiteral("the database URL gives the option %1 twice").arg(name));
        }
        const QString value = decoded(item.mid(equals + 1));
        checkOption(name, value);
        location.m_options.append({name, value});
    }
    std::sort(location.m_options.begin(), location.m_options.end(),
              [](const auto &a, const auto &b) {
                  return knownOptions().indexOf(a.first) < knownOptions().indexOf(b.first);
              });
    return location;
}

QString DatabaseLocation::option(const QString &name) const
{
    for (const auto &[key, value] : m_options) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

QString DatabaseLocation::toString() const
{
    if (m_engine == Engine::Sqlite) {
        return m_filePath;
    }
    QString text = QStringLiteral("postgresql://");
    if (!m_user.isEmpty()) {
        text += encoded(m_user) + QLatin1Char('@');
    }
    if (m_host.contains(QLatin1Char(':')) && !m_host.startsWith(QLatin1Char('/'))) {
        text += QLatin1Char('[') + m_host + QLatin1Char(']');
    } else {
        text += encoded(m_host);
    }
    if (m_port > 0) {
        text += QLatin1Char(':') + QString::number(m_port);
    }
    text += QLatin1Char('/') + encoded(m_databaseName);
    QStringList query;
    for (const auto &[name, value] : m_options) {
        query << name + QLatin1Char('=') + encoded(value);
    }
    if (!query.isEmpty()) {
        text += QLatin1Char('?') + query.join(QLatin1Char('&'));
    }
    return text;
}

void DatabaseLocation::applyTo(QSqlDatabase &db) const
{
    if (m_engine == Engine::Sqlite) {
        db.setDatabaseName(m_filePath);
        return;
    }
    // Fields left empty are not passed, so that libpq falls back to PGHOST, PGUSER, ... Never
    // a password: libpq finds it in PGPASSWORD or the password file for these fields.
    if (!m_host.isEmpty()) {
        db.setHostName(m_host);
    }
    if (m_port > 0) {
        db.setPort(m_port);
    }
    if (!m_user.isEmpty()) {
        db.setUserName(m_user);
    }
    db.setDatabaseName(m_databaseName);
    QStringList options;
    for (const auto &[name, value] : m_options) {
        options << name + QLatin1Char('=') + value;
    }
    db.setConnectOptions(options.join(QLatin1Char(';')));
}

} // namespace digitdesk::storage
