#pragma once

#include "ui/modelsworker.h"

#include <QString>
#include <QStringList>

namespace digitdesk::ui {

// The Models view's lineage as lines of plain text: the model (when its registry row is known),
// its aliases, the run, the dataset version and who stands behind its labels.
QString modelLineageText(const ModelLineageSummary &lineage, const storage::ModelRecord *model,
                         const QStringList &aliases);

} // namespace digitdesk::ui
