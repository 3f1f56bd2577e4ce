#pragma once

#include <QString>

namespace digitdesk::ui {

// "epochs 3, batch_size 128, learning_rate 0.004, ..." from a training run's hyperparameters JSON.
QString runSettingsText(const QString &hyperparameters);

} // namespace digitdesk::ui
