#include "ui/datacheckreporttext.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

#include <cmath>

namespace digitdesk::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DatasetChecksPane", text);
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

QString driftLine(const annotation::LabelDrift &drift)
{
    QStringList changes;
    for (int label = 0; label < models::ClassCount; ++label) {
        if (std::abs(drift.shareChange[label]) >= 0.005) {
            changes << QStringLiteral("%1: %2%3")
                           .arg(label)
                           .arg(drift.shareChange[label] > 0 ? QStringLiteral("+") : QString())
                           .arg(drift.shareChange[label] * 100, 0, 'f', 1);
        }
    }
    return tr("against %1: chi-square %2 (%3 df, p = %4), PSI %5; share changes (points): %6")
        .arg(drift.against)
        .arg(drift.chiSquare.statistic, 0, 'f', 1)
        .arg(drift.chiSquare.degreesOfFreedom)
        .arg(drift.chiSquare.pValue, 0, 'g', 3)
        .arg(drift.psi, 0, 'f', 3)
        .arg(changes.isEmpty() ? tr("none of half a point or more")
                               : changes.join(QStringLiteral(", ")));
}

} // namespace

QString checkSummaryText(const DataCheckPage &page)
{
    if (!page.check) {
        return tr("No check run yet for %1. Run one to find likely label errors, near-duplicates "
                  "and leakage, class imbalance, label drift and outliers.")
            .arg(page.tag);
    }
    const annotation::DataCheckReport &report = page.check->report;
    const QLocale locale;
    QString text =
        tr("Check %1 of %2 (%3 by %4): %5 likely label errors among %6 digits (%7), "
           "found by %8 models trained on %9 of the folds each (out-of-fold accuracy "
           "%10).")
            .arg(page.check->record.id)
            .arg(page.tag,
                 page.check->record.finishedAt.toLocalTime().toString(
                     QStringLiteral("yyyy-MM-dd HH:mm")),
                 page.check->record.startedBy, locale.toString(qlonglong(report.suspects.size())),
                 locale.toString(report.images), percent(report.suspectedShare()))
            .arg(report.folds)
            .arg(report.folds - 1)
            .arg(percent(report.outOfFoldAccuracy));
    text += QLatin1Char('\n') + page.standing.summary + QLatin1Char('.');
    text += QLatin1Char('\n') +
            (page.decisions.decided > 0
                 ? tr("Reviewers confirmed %1 of the %2 suspects they decided on: the checks' "
                      "precision on this workspace is %3.")
                       .arg(page.decisions.confirmed)
                       .arg(page.decisions.decided)
                       .arg(percent(double(page.decisions.confirmed) / page.decisions.decided))
                 : tr("No reviewer has decided on a suspect sent to review yet."));
    return text;
}

QString checkDetailsText(const DataCheckPage &page)
{
    if (!page.check) {
        return {};
    }
    const annotation::DataCheckReport &report = page.check->report;
    QStringList lines;
    int leakingPairs = 0;
    for (const annotation::DuplicatePair &pair : report.nearDuplicates) {
        leakingPairs += pair.leakage;
    }
    lines << tr("Near-duplicates: %1 pairs, %2 of them across the training and held-out split; "
                "%3 of %4 held-out images (%5) have a near-duplicate in training.")
                 .arg(report.nearDuplicates.size())
                 .arg(leakingPairs)
                 .arg(report.leakingHeldOut)
                 .arg(report.heldOut)
                 .arg(percent(report.leakageShare()));
    QStringList counts;
    for (int label = 0; label < models::ClassCount; ++label) {
        counts << QStringLiteral("%1: %2").arg(label).arg(report.counts[label]);
    }
    lines << tr("Class balance: %1 (largest over smallest %2).")
                 .arg(counts.join(QStringLiteral(", ")))
                 .arg(annotation::imbalanceRatio(report.counts), 0, 'f', 2);
    lines << tr("Label drift %1.")
                 .arg(report.previous ? driftLine(*report.previous)
                                      : tr("cannot be measured: there is no previous version"));
    lines << tr("Served traffic %1.")
                 .arg(report.served ? driftLine(*report.served)
                                    : tr("not compared: the production model answered nothing "
                                         "in the last 7 days"));
    lines << tr("Outliers: %1 far from every class in the models' embedding, %2 flagged by the "
                "out-of-distribution score.")
                 .arg(report.farCount)
                 .arg(report.oodCount);
    return lines.join(QLatin1Char('\n'));
}

} // namespace digitdesk::ui
