#pragma once

#include <QSqlDatabase>
#include <QString>

namespace digitdesk::storage {

// Workspace-wide settings (thresholds, timeouts): shared by every process on the workspace,
// unlike QSettings, which is per user and machine.
class SettingsRepository final
{
public:
    explicit SettingsRepository(const QSqlDatabase &db) : m_db(db) {}

    QString value(const QString &key, const QString &fallback = {}) const;
    int intValue(const QString &key, int fallback) const;
    // The setting as a number from `minimum` to `maximum`; `fallback` when it is unset, not a
    // number or out of range.
    double numberValue(const QString &key, double fallback, double minimum, double maximum) const;
    void setValue(const QString &key, const QString &value);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
