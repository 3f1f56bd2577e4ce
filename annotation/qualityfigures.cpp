#include "annotation/qualityfigures.h"

#include "annotation/accesscontrol.h"
#include "storage/teamfiguresrepository.h"

#include <array>

namespace digitdesk::annotation {

double cohensKappa(const std::vector<std::pair<storage::Label, storage::Label>> &ratings)
{
    if (ratings.empty()) {
        return 0;
    }
    constexpr int Classes = storage::Label::Classes;
    std::array<double, Classes> first{};
    std::array<double, Classes> second{};
    double agree = 0;
    for (const auto &[a, b] : ratings) {
        first[static_cast<size_t>(a.index())] += 1;
        second[static_cast<size_t>(b.index())] += 1;
        agree += a == b ? 1 : 0;
    }
    const double n = static_cast<double>(ratings.size());
    const double observed = agree / n;
    double chance = 0;
    for (int c = 0; c < Classes; ++c) {
        chance += (first[static_cast<size_t>(c)] / n) * (second[static_cast<size_t>(c)] / n);
    }
    return chance >= 1.0 ? 1.0 : (observed - chance) / (1.0 - chance);
}

QualityReport qualityReport(const QSqlDatabase &db, const Principal &who)
{
    AccessControl(db).require(who, Action::ViewQualityFigures);
    const storage::TeamFiguresRepository repository(db);
    QualityReport report;
    const std::vector<storage::AnnotatorFigures> figures = repository.annotatorFigures();
    for (const storage::AnnotatorFigures &row : figures) {
        AnnotatorQuality quality;
        quality.name = row.name;
        quality.labels = row.labels;
        quality.reviewed = row.reviewed;
        quality.agreementWithReviewers =
            row.reviewed > 0 ? static_cast<double>(row.approvedAsIs) / row.reviewed : -1;
        quality.goldAnswered = row.goldAnswered;
        quality.goldAccuracy =
            row.goldAnswered > 0 ? static_cast<double>(row.goldRight) / row.goldAnswered : -1;
        report.annotators.push_back(quality);
    }
    for (size_t i = 0; i < figures.size(); ++i) {
        for (size_t j = i + 1; j < figures.size(); ++j) {
            const auto shared = repository.sharedLabels(figures[i].userId, figures[j].userId);
            if (shared.empty()) {
                continue;
            }
            std::vector<std::pair<storage::Label, storage::Label>> ratings;
            ratings.reserve(shared.size());
            for (const storage::LabelPair &pair : shared) {
                ratings.emplace_back(pair.first, pair.second);
            }
            report.pairs.push_back({figures[i].name, figures[j].name,
                                    static_cast<int>(shared.size()), cohensKappa(ratings)});
        }
    }
    return report;
}

} // namespace digitdesk::annotation
