#include "annotation/releasechecklist.h"

#include "annotation/accesscontrol.h"
#include "annotation/datacheckthresholds.h"
#include "annotation/userservice.h"
#include "storage/settingsrepository.h"
#include "storage/transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace digitdesk::annotation {
namespace {

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 2);
}

double readShare(const storage::SettingsRepository &settings, const char *key, double fallback)
{
    bool ok = false;
    const double value = settings.value(QString::fromLatin1(key)).toDouble(&ok);
    return ok && std::isfinite(value) && value >= 0 && value <= 1 ? value : fallback;
}

ChecklistItem accuracyItem(const ModelFigures &heldOut, double minimum)
{
    ChecklistItem item{QStringLiteral("held-out accuracy"),
                       QStringLiteral("at least %1").arg(percent(minimum)),
                       {},
                       false};
    if (heldOut.count == 0) {
        item.actual = QStringLiteral("no held-out images");
        return item;
    }
    item.actual = QStringLiteral("%1 (95% interval %2-%3) on %4 images")
                      .arg(percent(heldOut.accuracy), percent(heldOut.accuracyInterval.lower),
                           percent(heldOut.accuracyInterval.upper))
                      .arg(heldOut.count);
    item.passed = heldOut.accuracy >= minimum;
    return item;
}

ChecklistItem eceItem(const ModelFigures &heldOut, double maximum)
{
    ChecklistItem item{QStringLiteral("calibration error (ECE)"),
                       QStringLiteral("at most %1").arg(maximum, 0, 'f', 3),
                       {},
                       false};
    if (heldOut.count == 0) {
        item.actual = QStringLiteral("no held-out images");
        return item;
    }
    item.actual = QString::number(heldOut.ece, 'f', 3);
    item.passed = heldOut.ece <= maximum;
    return item;
}

ChecklistItem classFloorItem(const ModelFigures &heldOut, double floor)
{
    ChecklistItem item{QStringLiteral("recall of every class"),
                       QStringLiteral("at least %1 for each digit").arg(percent(floor)),
                       {},
                       false};
    QStringList below;
    QStringList missing;
    int lowest = -1;
    for (int c = 0; c < models::ClassCount; ++c) {
        const ClassFigures &figures = heldOut.perClass[static_cast<size_t>(c)];
        if (figures.count == 0) {
            missing << QString::number(c);
            continue;
        }
        if (figures.recall < floor) {
            below << QStringLiteral("%1 at %2").arg(c).arg(percent(figures.recall));
        }
        if (lowest < 0 || figures.recall < heldOut.perClass[static_cast<size_t>(lowest)].recall) {
            lowest = c;
        }
    }
    QStringList problems;
    if (!below.isEmpty()) {
        problems << QStringLiteral("below the floor: %1").arg(below.join(QStringLiteral(", ")));
    }
    if (!missing.isEmpty()) {
        problems
            << QStringLiteral("no held-out images of %1").arg(missing.join(QStringLiteral(", ")));
    }
    if (!problems.isEmpty()) {
        item.actual = problems.join(QStringLiteral("; "));
        return item;
    }
    item.actual = QStringLiteral("lowest: %1 at %2")
                      .arg(lowest)
                      .arg(percent(heldOut.perClass[static_cast<size_t>(lowest)].recall));
    item.passed = true;
    return item;
}

} // namespace

ChecklistSettings ChecklistSettings::read(const QSqlDatabase &db)
{
    const storage::SettingsRepository settings(db);
    const ChecklistSettings defaults;
    ChecklistSettings result;
    result.minHeldOutAccuracy =
        readShare(settings, MinAccuracySetting, defaults.minHeldOutAccuracy);
    result.maxEce = readShare(settings, MaxEceSetting, defaults.maxEce);
    result.perClassRecallFloor =
        readShare(settings, ClassFloorSetting, defaults.perClassRecallFloor);
    return result;
}

void ChecklistSettings::write(const QSqlDatabase &db, const Principal &who) const
{
    const AccessControl access(db);
    access.require(who, Action::ValidateModel, QStringLiteral("release checklist"));
    const std::pair<const char *, double> values[] = {{MinAccuracySetting, minHeldOutAccuracy},
                                                      {MaxEceSetting, maxEce},
                                                      {ClassFloorSetting, perClassRecallFloor}};
    for (const auto &[key, value] : values) {
        if (!std::isfinite(value) || value < 0 || value > 1) {
            throw InvalidRequest(
                QStringLiteral("%1 takes a number from 0 to 1, not %2").arg(key).arg(value));
        }
    }
    storage::SettingsRepository settings(db);
    storage::Transaction transaction(db);
    QStringList written;
    for (const auto &[key, value] : values) {
        settings.setValue(QString::fromLatin1(key), QString::number(value));
        written << QStringLiteral("%1 = %2").arg(key).arg(value);
    }
    access.audit(who, Action::ValidateModel, QStringLiteral("release checklist"),
                 written.join(QStringLiteral(", ")));
    transaction.commit();
}

std::vector<ChecklistItem> checkRelease(const ModelFigures &heldOut,
                                        const ChecklistSettings &settings)
{
    return {accuracyItem(heldOut, settings.minHeldOutAccuracy), eceItem(heldOut, settings.maxEce),
            classFloorItem(heldOut, settings.perClassRecallFloor)};
}

ChecklistItem dataCheckItem(const QSqlDatabase &db, const QString &datasetTag)
{
    const DataCheckThresholds thresholds = DataCheckThresholds::read(db);
    const DataCheckStanding standing = dataCheckStanding(db, datasetTag);
    return {QStringLiteral("data check of %1").arg(datasetTag),
            QStringLiteral("at most %1% suspected label errors and %2% leakage")
                .arg(thresholds.maxSuspectedShare * 100, 0, 'f', 1)
                .arg(thresholds.maxLeakage * 100, 0, 'f', 1),
            standing.summary, !standing.overThreshold};
}

std::optional<ModelFigures> recordedHeldOutFigures(const storage::ModelRecord &model)
{
    const QJsonObject metrics = QJsonDocument::fromJson(model.metrics.toUtf8()).object();
    QJsonObject evaluation = metrics.value(QStringLiteral("validation_calibrated")).toObject();
    if (evaluation.isEmpty()) {
        evaluation = metrics.value(QStringLiteral("validation")).toObject();
    }
    const QJsonArray confusion = evaluation.value(QStringLiteral("confusion")).toArray();
    if (confusion.size() != models::ClassCount) {
        return std::nullopt;
    }
    ModelFigures figures;
    for (int truth = 0; truth < models::ClassCount; ++truth) {
        const QJsonArray row = confusion.at(truth).toArray();
        if (row.size() != models::ClassCount) {
            return std::nullopt;
        }
        ClassFigures &perClass = figures.perClass[static_cast<size_t>(truth)];
        for (int answered = 0; answered < models::ClassCount; ++answered) {
            const int count = row.at(answered).toInt();
            figures.confusion[static_cast<size_t>(truth)][static_cast<size_t>(answered)] = count;
            perClass.count += count;
        }
        perClass.correct = row.at(truth).toInt();
        perClass.recall =
            perClass.count > 0 ? static_cast<double>(perClass.correct) / perClass.count : 0;
        figures.count += perClass.count;
        figures.correct += perClass.correct;
    }
    if (figures.count == 0) {
        return std::nullopt;
    }
    figures.accuracy = static_cast<double>(figures.correct) / figures.count;
    figures.accuracyInterval = wilsonInterval(figures.correct, figures.count);
    figures.ece = evaluation.value(QStringLiteral("ece")).toDouble();
    figures.learntFrom = 0; // the trainer's held-out split: what it never trained on
    return figures;
}

double recordedHeldOutAccuracy(const QString &metrics)
{
    return QJsonDocument::fromJson(metrics.toUtf8())
        .object()
        .value(QStringLiteral("validation"))
        .toObject()
        .value(QStringLiteral("accuracy"))
        .toDouble(-1);
}

} // namespace digitdesk::annotation
