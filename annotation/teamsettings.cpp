#include "annotation/teamsettings.h"

#include "annotation/annotationservice.h"

#include <cmath>

namespace digitdesk::annotation {

const std::vector<TeamSetting> &teamSettings()
{
    static const std::vector<TeamSetting> settings = {
        {QString::fromLatin1(DailyTargetSetting), DefaultDailyTarget, 1, 100000, true,
         QStringLiteral("labels each annotator is asked for per day")},
        {QString::fromLatin1(AnnotationService::LeaseSetting),
         AnnotationService::DefaultLeaseSeconds, 10, 86400, true,
         QStringLiteral("seconds an item stays leased to the annotator who has it on screen")},
        {QString::fromLatin1(AnnotationService::HighConfidenceSetting), 0.05, 0, 0.5, false,
         QStringLiteral("share of each queue taken from the model's most confident answers")},
        {QString::fromLatin1(AnnotationService::GoldSetting), 0.05, 0, 0.5, false,
         QStringLiteral("share of each annotator's queue that is gold items")},
        {QString::fromLatin1(AnnotationService::OverlapSetting), 1, 1, 5, true,
         QStringLiteral("independent labels an item needs before review")},
    };
    return settings;
}

const TeamSetting *findTeamSetting(const QString &key)
{
    for (const TeamSetting &setting : teamSettings()) {
        if (setting.key == key) {
            return &setting;
        }
    }
    return nullptr;
}

std::optional<QString> checkTeamSetting(const QString &key, double value)
{
    const TeamSetting *setting = findTeamSetting(key);
    if (setting == nullptr) {
        return QStringLiteral("%1 is not a team setting").arg(key);
    }
    if (!std::isfinite(value) || value < setting->minimum || value > setting->maximum ||
        (setting->whole && value != std::floor(value))) {
        return QStringLiteral("%1 takes a %2 from %3 to %4")
            .arg(key, setting->whole ? QStringLiteral("whole number") : QStringLiteral("number"))
            .arg(setting->minimum)
            .arg(setting->maximum);
    }
    return std::nullopt;
}

} // namespace digitdesk::annotation
