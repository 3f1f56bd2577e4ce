#pragma once

#include "annotation/principal.h"
#include "storage/label.h"

#include <QSqlDatabase>
#include <QString>

#include <utility>
#include <vector>

namespace digitdesk::annotation {

struct AnnotatorQuality
{
    QString name;
    int labels = 0;
    int reviewed = 0;
    double agreementWithReviewers = -1; // share of reviewed labels approved as they were; -1: none
    int goldAnswered = 0;
    double goldAccuracy = -1; // -1: no gold item answered yet
};

struct PairAgreement
{
    QString first;
    QString second;
    int shared = 0;
    double kappa = 0;
};

struct QualityReport
{
    std::vector<AnnotatorQuality> annotators;
    std::vector<PairAgreement> pairs;
};

// Cohen's kappa of two raters over the same items:
// (observed agreement - chance agreement) / (1 - chance agreement). 1 when both always give
// the same single answer.
double cohensKappa(const std::vector<std::pair<storage::Label, storage::Label>> &ratings);

// What reviewers see of the annotators: agreement with reviews, accuracy on gold, and kappa
// between each pair on the items both labelled. Needs the view-quality-figures right.
QualityReport qualityReport(const QSqlDatabase &db, const Principal &who);

} // namespace digitdesk::annotation
