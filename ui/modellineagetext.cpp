#include "ui/modellineagetext.h"

#include "ui/runsettingstext.h"

#include <QCoreApplication>
#include <QLocale>

namespace digitdesk::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("digitdesk::ui::ModelsView", text);
}

QString people(const std::vector<std::pair<QString, int>> &counts)
{
    const QLocale locale;
    QStringList parts;
    for (const auto &[name, count] : counts) {
        parts << QStringLiteral("%1 %2").arg(name, locale.toString(count));
    }
    return parts.isEmpty() ? tr("none") : parts.join(QStringLiteral(", "));
}

} // namespace

QString modelLineageText(const ModelLineageSummary &lineage, const storage::ModelRecord *model,
                         const QStringList &aliases)
{
    const QLocale locale;
    QStringList lines;
    lines << tr("Model %1 (%2), by %3 on %4; file SHA-256 %5")
                 .arg(lineage.modelId)
                 .arg(model ? model->architecture : QString(), model ? model->createdBy : QString(),
                      model ? model->createdAt.toLocalTime().toString(
                                  QStringLiteral("yyyy-MM-dd HH:mm"))
                            : QString(),
                      model ? model->fileSha256.left(16) : QString());
    if (!aliases.isEmpty()) {
        lines << tr("  now: %1").arg(aliases.join(QStringLiteral(", ")));
    }
    if (lineage.run) {
        const storage::TrainingRunRecord &run = *lineage.run;
        lines << tr("  ← run %1, started by %2 on %3 (%4), %5")
                     .arg(run.id)
                     .arg(run.startedBy,
                          run.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                          run.startedBecause, run.status);
        lines << tr("      settings: %1").arg(runSettingsText(run.hyperparameters));
    }
    if (!lineage.datasetTag.isEmpty()) {
        lines << tr("  ← dataset version %1, commit %2")
                     .arg(lineage.datasetTag, lineage.datasetCommit);
        lines << tr("  ← %1 approved labels").arg(locale.toString(lineage.labelCount));
        lines << tr("      annotators: %1").arg(people(lineage.annotators));
        lines << tr("      reviewers: %1").arg(people(lineage.reviewers));
    }
    if (!lineage.problem.isEmpty()) {
        lines << tr("  (%1)").arg(lineage.problem);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace digitdesk::ui
