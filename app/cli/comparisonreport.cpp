#include "app/cli/comparisonreport.h"

#include <QJsonArray>
#include <QStringList>

#include <algorithm>

namespace digitdesk::app {
namespace {

using annotation::ModelFigures;
using annotation::SetComparison;

// Disagreements listed on a terminal; --json lists every one kept.
constexpr int ListedDisagreements = 10;

QString percent(double share, int decimals)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', decimals);
}

QString accuracyText(const ModelFigures &figures)
{
    return QStringLiteral("%1 (95% CI %2-%3)")
        .arg(percent(figures.accuracy, 2), percent(figures.accuracyInterval.lower, 1),
             percent(figures.accuracyInterval.upper, 1));
}

QString learntText(const ModelFigures &figures)
{
    return figures.learntFrom < 0 ? QStringLiteral("unknown")
                                  : QStringLiteral("%1 of these images").arg(figures.learntFrom);
}

QString modelLine(const QString &letter, const annotation::ComparedModel &model)
{
    return QStringLiteral("%1  model %2: %3, T = %4")
        .arg(letter)
        .arg(model.id)
        .arg(model.trainedOn.isEmpty()
                 ? (model.datasetCommit.isEmpty()
                        ? QStringLiteral("not trained on a dataset version")
                        : QStringLiteral("trained on commit %1, no version here")
                              .arg(model.datasetCommit))
                 : QStringLiteral("trained on %1").arg(model.trainedOn))
        .arg(model.temperature, 0, 'f', 3);
}

QStringList setLines(const SetComparison &set)
{
    QStringList lines;
    QString name = set.name;
    if (!name.isEmpty()) {
        name[0] = name[0].toUpper();
    }
    lines << QStringLiteral("%1: %2 images").arg(name).arg(set.count);
    if (set.count == 0) {
        return lines;
    }
    const auto row = [&lines](const QString &what, const QString &a, const QString &b) {
        lines << QStringLiteral("%1 %2 %3").arg(what, -16).arg(a, -32).arg(b);
    };
    row(QString(), QStringLiteral("A"), QStringLiteral("B"));
    row(QStringLiteral("accuracy"), accuracyText(set.a), accuracyText(set.b));
    row(QStringLiteral("ECE (10 bins)"), QString::number(set.a.ece, 'f', 4),
        QString::number(set.b.ece, 'f', 4));
    row(QStringLiteral("learnt from"), learntText(set.a), learntText(set.b));
    const annotation::McNemarTest &test = set.mcNemar;
    lines << QStringLiteral("%1 only A right %2, only B right %3, both right %4, both wrong %5: "
                            "%6, %7")
                 .arg(QStringLiteral("McNemar"), -16)
                 .arg(test.b)
                 .arg(test.c)
                 .arg(set.bothRight)
                 .arg(set.bothWrong)
                 .arg(test.exact ? QStringLiteral("exact binomial")
                                 : QStringLiteral("chi-square %1 (continuity corrected)")
                                       .arg(test.statistic, 0, 'f', 3),
                      annotation::formatPValue(test.pValue));
    lines << QStringLiteral("%1 %2 images answered differently")
                 .arg(QStringLiteral("disagreements"), -16)
                 .arg(set.disagreementCount);
    lines << QStringLiteral("%1 %2").arg(QStringLiteral("verdict"), -16).arg(set.verdict);
    const int listed = std::min(ListedDisagreements, static_cast<int>(set.disagreements.size()));
    for (int i = 0; i < listed; ++i) {
        const annotation::Disagreement &d = set.disagreements[static_cast<size_t>(i)];
        lines << QStringLiteral("  %1  approved %2: A %3 (%4), B %5 (%6)")
                     .arg(d.imageId > 0 ? QStringLiteral("image #%1").arg(d.imageId)
                                        : d.sha256.left(12))
                     .arg(d.label)
                     .arg(d.a.label)
                     .arg(d.a.confidence, 0, 'f', 2)
                     .arg(d.b.label)
                     .arg(d.b.confidence, 0, 'f', 2);
    }
    if (set.disagreementCount > listed) {
        lines << QStringLiteral("  ... and %1 more (--json lists up to %2)")
                     .arg(set.disagreementCount - listed)
                     .arg(set.disagreements.size());
    }
    lines << QString();
    lines << QStringLiteral("class  images  A recall  B recall");
    for (size_t c = 0; c < set.a.perClass.size(); ++c) {
        lines << QStringLiteral("    %1  %2  %3  %4")
                     .arg(c)
                     .arg(set.a.perClass[c].count, 6)
                     .arg(percent(set.a.perClass[c].recall, 1), 8)
                     .arg(percent(set.b.perClass[c].recall, 1), 8);
    }
    return lines;
}

QJsonObject answerJson(const annotation::Answer &answer)
{
    return {{QStringLiteral("label"), answer.label},
            {QStringLiteral("confidence"), answer.confidence}};
}

QJsonObject figuresJson(const ModelFigures &figures)
{
    QJsonArray perClass;
    for (const annotation::ClassFigures &c : figures.perClass) {
        perClass.append(QJsonObject{{QStringLiteral("count"), c.count},
                                    {QStringLiteral("correct"), c.correct},
                                    {QStringLiteral("recall"), c.recall}});
    }
    QJsonArray confusion;
    for (const auto &approved : figures.confusion) {
        QJsonArray row;
        for (int count : approved) {
            row.append(count);
        }
        confusion.append(row);
    }
    QJsonArray reliability;
    for (const annotation::ReliabilityBin &bin : figures.reliability) {
        reliability.append(QJsonObject{{QStringLiteral("count"), bin.count},
                                       {QStringLiteral("mean_confidence"), bin.meanConfidence},
                                       {QStringLiteral("accuracy"), bin.accuracy}});
    }
    QJsonObject json{{QStringLiteral("count"), figures.count},
                     {QStringLiteral("correct"), figures.correct},
                     {QStringLiteral("accuracy"), figures.accuracy},
                     {QStringLiteral("accuracy_ci95"),
                      QJsonArray{figures.accuracyInterval.lower, figures.accuracyInterval.upper}},
                     {QStringLiteral("per_class"), perClass},
                     {QStringLiteral("confusion"), confusion},
                     {QStringLiteral("reliability"), reliability},
                     {QStringLiteral("ece"), figures.ece}};
    if (figures.learntFrom >= 0) {
        json.insert(QStringLiteral("learnt_from"), figures.learntFrom);
    }
    return json;
}

QJsonObject setJson(const SetComparison &set)
{
    QJsonArray disagreements;
    for (const annotation::Disagreement &d : set.disagreements) {
        QJsonObject item{{QStringLiteral("sha256"), d.sha256},
                         {QStringLiteral("label"), d.label},
                         {QStringLiteral("a"), answerJson(d.a)},
                         {QStringLiteral("b"), answerJson(d.b)}};
        if (d.imageId > 0) {
            item.insert(QStringLiteral("image_id"), d.imageId);
        }
        disagreements.append(item);
    }
    const annotation::McNemarTest &test = set.mcNemar;
    return {{QStringLiteral("name"), set.name},
            {QStringLiteral("count"), set.count},
            {QStringLiteral("a"), figuresJson(set.a)},
            {QStringLiteral("b"), figuresJson(set.b)},
            {QStringLiteral("both_right"), set.bothRight},
            {QStringLiteral("both_wrong"), set.bothWrong},
            {QStringLiteral("mcnemar"),
             QJsonObject{{QStringLiteral("b"), test.b},
                         {QStringLiteral("c"), test.c},
                         {QStringLiteral("method"), test.exact
                                                        ? QStringLiteral("exact binomial")
                                                        : QStringLiteral("chi-square corrected")},
                         {QStringLiteral("statistic"), test.statistic},
                         {QStringLiteral("p_value"), test.pValue}}},
            {QStringLiteral("disagreement_count"), set.disagreementCount},
            {QStringLiteral("disagreements"), disagreements},
            {QStringLiteral("verdict"), set.verdict}};
}

QJsonObject modelJson(const annotation::ComparedModel &model)
{
    QJsonObject json{{QStringLiteral("id"), model.id},
                     {QStringLiteral("temperature"), model.temperature}};
    if (!model.datasetCommit.isEmpty()) {
        json.insert(QStringLiteral("dataset_commit"), model.datasetCommit);
    }
    if (!model.trainedOn.isEmpty()) {
        json.insert(QStringLiteral("trained_on"), model.trainedOn);
    }
    return json;
}

} // namespace

QString formatComparison(const annotation::ModelComparisonResult &result)
{
    QStringList lines;
    lines << QStringLiteral("Model %1 (A) against model %2 (B) on %3 (commit %4)")
                 .arg(result.a.id)
                 .arg(result.b.id)
                 .arg(result.version.tag, result.version.commitId);
    lines << modelLine(QStringLiteral("A"), result.a);
    lines << modelLine(QStringLiteral("B"), result.b);
    for (const SetComparison *set : {&result.heldOut, &result.newer}) {
        lines << QString();
        lines += setLines(*set);
    }
    return lines.join(QLatin1Char('\n'));
}

QJsonObject comparisonJson(const annotation::ModelComparisonResult &result)
{
    return {{QStringLiteral("a"), modelJson(result.a)},
            {QStringLiteral("b"), modelJson(result.b)},
            {QStringLiteral("dataset"),
             QJsonObject{{QStringLiteral("tag"), result.version.tag},
                         {QStringLiteral("commit"), result.version.commitId}}},
            {QStringLiteral("held_out"), setJson(result.heldOut)},
            {QStringLiteral("approved_since"), setJson(result.newer)}};
}

} // namespace digitdesk::app
