#include "app/cli/evaluationreport.h"

#include <QStringList>

namespace digitdesk::app {

QString formatEvaluation(const models::Evaluation &raw, const models::Evaluation &calibrated,
                         double temperature, const models::Baselines &baselines)
{
    QStringList lines;
    lines << QStringLiteral("images          %1").arg(raw.count);
    lines << QStringLiteral("accuracy        %1%").arg(raw.accuracy * 100, 0, 'f', 2);
    lines << QStringLiteral(
                 "baselines       random guess %1%, majority class (%2) %3%, nearest centroid %4%")
                 .arg(baselines.randomGuessAccuracy * 100, 0, 'f', 2)
                 .arg(baselines.majorityClass)
                 .arg(baselines.majorityAccuracy * 100, 0, 'f', 2)
                 .arg(baselines.nearestCentroidAccuracy * 100, 0, 'f', 2);
    lines << QStringLiteral(
                 "NLL             %1 -> %2 after temperature scaling (T = %3; random guess %4)")
                 .arg(raw.nll, 0, 'f', 4)
                 .arg(calibrated.nll, 0, 'f', 4)
                 .arg(temperature, 0, 'f', 3)
                 .arg(baselines.randomGuessNll, 0, 'f', 4);
    lines << QStringLiteral("ECE (15 bins)   %1 -> %2")
                 .arg(raw.ece, 0, 'f', 4)
                 .arg(calibrated.ece, 0, 'f', 4);
    lines << QString();
    lines << QStringLiteral("class  precision  recall");
    for (int c = 0; c < models::ClassCount; ++c) {
        lines << QStringLiteral("    %1     %2%  %3%")
                     .arg(c)
                     .arg(raw.precision[static_cast<size_t>(c)] * 100, 5, 'f', 1)
                     .arg(raw.recall[static_cast<size_t>(c)] * 100, 5, 'f', 1);
    }
    lines << QString();
    lines << QStringLiteral("confusion (rows: true, columns: predicted)");
    QString header = QStringLiteral("      ");
    for (int c = 0; c < models::ClassCount; ++c) {
        header += QStringLiteral("%1").arg(c, 6);
    }
    lines << header;
    for (int t = 0; t < models::ClassCount; ++t) {
        QString row = QStringLiteral("    %1 ").arg(t);
        for (int p = 0; p < models::ClassCount; ++p) {
            row += QStringLiteral("%1").arg(
                raw.confusion[static_cast<size_t>(t)][static_cast<size_t>(p)], 6);
        }
        lines << row;
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace digitdesk::app
