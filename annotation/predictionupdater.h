#pragma once

#include "annotation/principal.h"
#include "models/computedevice.h"

#include <QSqlDatabase>
#include <QString>

#include <atomic>
#include <functional>

namespace digitdesk::annotation {

struct PredictionUpdate
{
    qint64 modelId = 0; // 0: no production model, nothing to do
    qint64 predicted = 0;
};

// Stores the production model's calibrated predictions for every unlabelled image that has
// none from it yet, in batches of 512, each batch one transaction. Run after an import and
// after `production` moves; the GUI runs it on a worker. Throws ModelRefused when the
// production model cannot be used.
PredictionUpdate
updatePredictions(const QSqlDatabase &db, const QString &workspaceRoot,
                  models::DeviceRequest device = models::DeviceRequest::Auto,
                  const std::function<void(qint64 done, qint64 total)> &progress = {},
                  const std::atomic<bool> *cancel = nullptr);

// The same, asked for by a person (the Models view's "Re-predict waiting images"): whoever may
// move production may refresh what it says about the queue. Checked and audited here, with how
// many images got a prediction and whether a cancel stopped it.
PredictionUpdate repredictWaiting(const QSqlDatabase &db, const QString &workspaceRoot,
                                  const Principal &who,
                                  const std::function<void(qint64 done, qint64 total)> &progress,
                                  const std::atomic<bool> *cancel);

} // namespace digitdesk::annotation
