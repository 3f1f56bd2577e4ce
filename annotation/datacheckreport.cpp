#include "annotation/datacheckreport.h"

#include <QJsonArray>

#include <cmath>

namespace digitdesk::annotation {
namespace {

template <typename Array> QJsonArray toArray(const Array &values)
{
    QJsonArray array;
    for (const auto &value : values) {
        array.append(static_cast<double>(value));
    }
    return array;
}

template <typename Array> void fromArray(const QJsonValue &json, Array *values)
{
    const QJsonArray array = json.toArray();
    for (size_t i = 0; i < values->size() && i < size_t(array.size()); ++i) {
        (*values)[i] = static_cast<typename Array::value_type>(array.at(qsizetype(i)).toDouble());
    }
}

// JSON has no infinity: a statistic that is one is written as null and read back as one.
QJsonValue finite(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue();
}

double readFinite(const QJsonValue &value)
{
    return value.isNull() ? INFINITY : value.toDouble();
}

QJsonObject driftJson(const LabelDrift &drift)
{
    return {{QStringLiteral("against"), drift.against},
            {QStringLiteral("counts"), toArray(drift.current)},
            {QStringLiteral("reference_counts"), toArray(drift.reference)},
            {QStringLiteral("share_change"), toArray(drift.shareChange)},
            {QStringLiteral("chi_square"), finite(drift.chiSquare.statistic)},
            {QStringLiteral("degrees_of_freedom"), drift.chiSquare.degreesOfFreedom},
            {QStringLiteral("p_value"), drift.chiSquare.pValue},
            {QStringLiteral("psi"), drift.psi}};
}

std::optional<LabelDrift> driftFrom(const QJsonValue &value)
{
    if (!value.isObject()) {
        return std::nullopt;
    }
    const QJsonObject json = value.toObject();
    LabelDrift drift;
    drift.against = json.value(QStringLiteral("against")).toString();
    fromArray(json.value(QStringLiteral("counts")), &drift.current);
    fromArray(json.value(QStringLiteral("reference_counts")), &drift.reference);
    fromArray(json.value(QStringLiteral("share_change")), &drift.shareChange);
    drift.chiSquare.statistic = readFinite(json.value(QStringLiteral("chi_square")));
    drift.chiSquare.degreesOfFreedom = json.value(QStringLiteral("degrees_of_freedom")).toInt();
    drift.chiSquare.pValue = json.value(QStringLiteral("p_value")).toDouble();
    drift.psi = json.value(QStringLiteral("psi")).toDouble();
    return drift;
}

} // namespace

QJsonObject DataCheckReport::toJson() const
{
    QJsonArray suspectArray;
    for (const SuspectedLabelError &suspect : suspects) {
        suspectArray.append(
            QJsonObject{{QStringLiteral("sha256"), suspect.sha256},
                        {QStringLiteral("given"), suspect.givenLabel},
                        {QStringLiteral("suspected"), suspect.suspectedLabel},
                        {QStringLiteral("confidence"), suspect.confidence},
                        {QStringLiteral("given_probability"), suspect.givenProbability}});
    }
    QJsonArray pairArray;
    for (const DuplicatePair &pair : nearDuplicates) {
        pairArray.append(QJsonObject{{QStringLiteral("first"), pair.first},
                                     {QStringLiteral("second"), pair.second},
                                     {QStringLiteral("first_label"), pair.firstLabel},
                                     {QStringLiteral("second_label"), pair.secondLabel},
                                     {QStringLiteral("distance"), pair.distance},
                                     {QStringLiteral("leakage"), pair.leakage}});
    }
    QJsonArray outlierArray;
    for (const OutlierImage &outlier : outliers) {
        outlierArray.append(
            QJsonObject{{QStringLiteral("sha256"), outlier.sha256},
                        {QStringLiteral("label"), outlier.label},
                        {QStringLiteral("class_distance"), outlier.classDistance},
                        {QStringLiteral("ood_score"), outlier.oodScore},
                        {QStringLiteral("far_from_classes"), outlier.farFromClasses},
                        {QStringLiteral("ood"), outlier.ood}});
    }
    QJsonObject balance{{QStringLiteral("counts"), toArray(counts)},
                        {QStringLiteral("imbalance_ratio"), finite(imbalanceRatio(counts))}};
    if (previous) {
        balance.insert(QStringLiteral("previous"), driftJson(*previous));
    }
    if (served) {
        balance.insert(QStringLiteral("served"), driftJson(*served));
    }
    return {{QStringLiteral("version"), tag},
            {QStringLiteral("commit"), commitId},
            {QStringLiteral("images"), images},
            {QStringLiteral("not_a_digit"), notADigit},
            {QStringLiteral("folds"), folds},
            {QStringLiteral("epochs"), epochs},
            {QStringLiteral("seconds"), seconds},
            {QStringLiteral("label_errors"),
             QJsonObject{{QStringLiteral("method"), QStringLiteral("confident learning")},
                         {QStringLiteral("out_of_fold_accuracy"), outOfFoldAccuracy},
                         {QStringLiteral("thresholds"), toArray(thresholds)},
                         {QStringLiteral("suspected_share"), suspectedShare()},
                         {QStringLiteral("suspects"), suspectArray}}},
            {QStringLiteral("duplicates"),
             QJsonObject{{QStringLiteral("near_duplicates"), pairArray},
                         {QStringLiteral("held_out"), heldOut},
                         {QStringLiteral("leaking_held_out"), leakingHeldOut},
                         {QStringLiteral("leakage_share"), leakageShare()}}},
            {QStringLiteral("balance"), balance},
            {QStringLiteral("outliers"), QJsonObject{{QStringLiteral("ood"), oodCount},
                                                     {QStringLiteral("far_from_classes"), farCount},
                                                     {QStringLiteral("strangest"), outlierArray}}}};
}

DataCheckReport DataCheckReport::fromJson(const QJsonObject &json)
{
    DataCheckReport report;
    report.tag = json.value(QStringLiteral("version")).toString();
    report.commitId = json.value(QStringLiteral("commit")).toString();
    report.images = json.value(QStringLiteral("images")).toInt();
    report.notADigit = json.value(QStringLiteral("not_a_digit")).toInt();
    report.folds = json.value(QStringLiteral("folds")).toInt();
    report.epochs = json.value(QStringLiteral("epochs")).toInt();
    report.seconds = json.value(QStringLiteral("seconds")).toDouble();
    const QJsonObject errors = json.value(QStringLiteral("label_errors")).toObject();
    report.outOfFoldAccuracy = errors.value(QStringLiteral("out_of_fold_accuracy")).toDouble();
    fromArray(errors.value(QStringLiteral("thresholds")), &report.thresholds);
    for (const QJsonValue &value : errors.value(QStringLiteral("suspects")).toArray()) {
        const QJsonObject item = value.toObject();
        report.suspects.push_back({item.value(QStringLiteral("sha256")).toString(),
                                   item.value(QStringLiteral("given")).toInt(),
                                   item.value(QStringLiteral("suspected")).toInt(),
                                   item.value(QStringLiteral("confidence")).toDouble(),
                                   item.value(QStringLiteral("given_probability")).toDouble()});
    }
    const QJsonObject duplicates = json.value(QStringLiteral("duplicates")).toObject();
    for (const QJsonValue &value : duplicates.value(QStringLiteral("near_duplicates")).toArray()) {
        const QJsonObject item = value.toObject();
        report.nearDuplicates.push_back({item.value(QStringLiteral("first")).toString(),
                                         item.value(QStringLiteral("second")).toString(),
                                         item.value(QStringLiteral("first_label")).toInt(),
                                         item.value(QStringLiteral("second_label")).toInt(),
                                         item.value(QStringLiteral("distance")).toDouble(),
                                         item.value(QStringLiteral("leakage")).toBool()});
    }
    report.heldOut = duplicates.value(QStringLiteral("held_out")).toInt();
    report.leakingHeldOut = duplicates.value(QStringLiteral("leaking_held_out")).toInt();
    const QJsonObject balance = json.value(QStringLiteral("balance")).toObject();
    fromArray(balance.value(QStringLiteral("counts")), &report.counts);
    report.previous = driftFrom(balance.value(QStringLiteral("previous")));
    report.served = driftFrom(balance.value(QStringLiteral("served")));
    const QJsonObject outliers = json.value(QStringLiteral("outliers")).toObject();
    report.oodCount = outliers.value(QStringLiteral("ood")).toInt();
    report.farCount = outliers.value(QStringLiteral("far_from_classes")).toInt();
    for (const QJsonValue &value : outliers.value(QStringLiteral("strangest")).toArray()) {
        const QJsonObject item = value.toObject();
        report.outliers.push_back({item.value(QStringLiteral("sha256")).toString(),
                                   item.value(QStringLiteral("label")).toInt(),
                                   item.value(QStringLiteral("class_distance")).toDouble(),
                                   item.value(QStringLiteral("ood_score")).toDouble(),
                                   item.value(QStringLiteral("far_from_classes")).toBool(),
                                   item.value(QStringLiteral("ood")).toBool()});
    }
    return report;
}

} // namespace digitdesk::annotation
