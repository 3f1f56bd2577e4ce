#include "app/cli/idxdata.h"

#include "annotation/idxfile.h"

#include <QCryptographicHash>
#include <QFileInfo>

namespace digitdesk::app {

IdxData readIdxData(const QString &imagesPath, QString labelsPath)
{
    if (labelsPath.isEmpty()) {
        labelsPath = annotation::idxLabelsPathFor(imagesPath);
        if (labelsPath.isEmpty() || !QFileInfo::exists(labelsPath)) {
            throw annotation::ImportError(
                QStringLiteral("%1: give its labels file too (--data IMAGES LABELS)")
                    .arg(imagesPath));
        }
    }
    const annotation::IdxArray images = annotation::readIdxFile(imagesPath);
    const annotation::IdxArray labels = annotation::readIdxFile(labelsPath);
    if (images.dimensions.size() != 3 || images.dimensions[1] != 28 || images.dimensions[2] != 28) {
        throw annotation::ImportError(
            QStringLiteral("%1: training needs 28x28 images").arg(imagesPath));
    }
    if (labels.dimensions.size() != 1 || labels.itemCount() != images.itemCount()) {
        throw annotation::ImportError(
            QStringLiteral("%1: count mismatch: %2 images but %3 labels in %4")
                .arg(imagesPath)
                .arg(images.itemCount())
                .arg(labels.itemCount())
                .arg(labelsPath));
    }
    for (char label : labels.data) {
        if (static_cast<unsigned char>(label) > 9) {
            throw annotation::ImportError(QStringLiteral("%1: label %2 is not a digit 0-9")
                                              .arg(labelsPath)
                                              .arg(static_cast<unsigned char>(label)));
        }
    }
    IdxData data;
    data.images.pixels.assign(images.data.begin(), images.data.end());
    data.images.labels.assign(labels.data.begin(), labels.data.end());
    data.source = QFileInfo(imagesPath).absoluteFilePath() + QStringLiteral(" + ") +
                  QFileInfo(labelsPath).absoluteFilePath();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(images.data);
    hash.addData(labels.data);
    data.digest = QString::fromLatin1(hash.result().toHex());
    return data;
}

} // namespace digitdesk::app
