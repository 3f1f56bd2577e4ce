#include "annotation/datacheckthresholds.h"

#include "storage/datacheckrepository.h"
#include "storage/settingsrepository.h"

#include <QStringList>

namespace digitdesk::annotation {
namespace {

double shareSetting(const storage::SettingsRepository &settings, const char *key, double fallback)
{
    return settings.numberValue(QString::fromLatin1(key), fallback, 0, 1);
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

} // namespace

DataCheckThresholds DataCheckThresholds::read(const QSqlDatabase &db)
{
    const storage::SettingsRepository settings(db);
    DataCheckThresholds thresholds;
    thresholds.maxSuspectedShare =
        shareSetting(settings, MaxSuspectedShareSetting, thresholds.maxSuspectedShare);
    thresholds.maxLeakage = shareSetting(settings, MaxLeakageSetting, thresholds.maxLeakage);
    return thresholds;
}

DataCheckStanding dataCheckStanding(const QSqlDatabase &db, const QString &tag)
{
    DataCheckStanding standing;
    const auto check = storage::DataCheckRepository(db).latestFinished(tag);
    if (!check) {
        standing.summary =
            QStringLiteral("%1 was not checked (digitdesk dataset check %1)").arg(tag);
        return standing;
    }
    const DataCheckThresholds thresholds = DataCheckThresholds::read(db);
    standing.checked = true;
    standing.checkId = check->id;
    standing.suspectedShare = check->images > 0 ? double(check->suspected) / check->images : 0;
    standing.leakageShare = check->heldOut > 0 ? double(check->leaking) / check->heldOut : 0;
    QStringList over;
    if (standing.suspectedShare > thresholds.maxSuspectedShare) {
        over << QStringLiteral("%1 suspected label errors, more than the %2 allowed")
                    .arg(percent(standing.suspectedShare), percent(thresholds.maxSuspectedShare));
    }
    if (standing.leakageShare > thresholds.maxLeakage) {
        over << QStringLiteral("%1 of held-out images leak (a near-duplicate in training), more "
                               "than the %2 allowed")
                    .arg(percent(standing.leakageShare), percent(thresholds.maxLeakage));
    }
    standing.overThreshold = !over.isEmpty();
    standing.summary =
        standing.overThreshold
            ? QStringLiteral("%1 is over the data-check thresholds (check %2): %3")
                  .arg(tag)
                  .arg(check->id)
                  .arg(over.join(QStringLiteral("; ")))
            : QStringLiteral("%1 is within the data-check thresholds (check %2: %3 suspected "
                             "label errors, %4 leakage)")
                  .arg(tag)
                  .arg(check->id)
                  .arg(percent(standing.suspectedShare), percent(standing.leakageShare));
    return standing;
}

} // namespace digitdesk::annotation
