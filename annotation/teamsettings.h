#pragma once

#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

// A workspace setting the team's manager may change (SetTeamTargets), with the range it takes.
struct TeamSetting
{
    QString key;
    double fallback = 0; // the value while it is not set
    double minimum = 0;
    double maximum = 0;
    bool whole = false; // whole numbers only
    QString meaning;
};

inline constexpr const char *DailyTargetSetting = "team.daily_target";
inline constexpr int DefaultDailyTarget = 300;

// team.daily_target (labels per annotator per day) and the annotation queue's settings
// (AnnotationService's keys: lease, share of confident items, share of gold items, overlap),
// with the ranges `digitdesk settings set` takes for them.
const std::vector<TeamSetting> &teamSettings();
const TeamSetting *findTeamSetting(const QString &key);
// Why the value does not fit the setting ("queue.overlap takes a whole number from 1 to 5"),
// nothing when it does. Unknown keys are refused too.
std::optional<QString> checkTeamSetting(const QString &key, double value);

} // namespace digitdesk::annotation
