#pragma once

#include "models/trainer.h"

#include <QString>

namespace digitdesk::app {

struct IdxData
{
    models::LabelledImages images;
    QString source; // "IMAGES + LABELS", for the training run's record
    QString digest; // SHA-256 of the images and labels, so a model is traceable to its data
};

// Reads an MNIST IDX pair (labels file derived from the images file's name when empty);
// throws annotation::ImportError naming the file and the reason.
IdxData readIdxData(const QString &imagesPath, QString labelsPath);

} // namespace digitdesk::app
