#include "ui/runsettingstext.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QVariant>

namespace digitdesk::ui {

QString runSettingsText(const QString &hyperparameters)
{
    const QJsonObject json = QJsonDocument::fromJson(hyperparameters.toUtf8()).object();
    QStringList parts;
    for (auto it = json.begin(); it != json.end(); ++it) {
        parts << QStringLiteral("%1 %2").arg(it.key(), it.value().toVariant().toString());
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace digitdesk::ui
