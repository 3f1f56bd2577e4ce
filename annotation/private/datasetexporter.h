#pragma once

#include "annotation/datasetservice.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <vector>

namespace digitdesk::annotation {

// Writes a version's rows in the layouts other tools read: ImageFolder, MNIST IDX and CSV.
// Every image is checked against its name (the SHA-256 of its pixels) on the way out.
class DatasetExporter final
{
public:
    // The PNG of a row's image, as the version holds it.
    using PngSource = std::function<QByteArray(const DatasetRow &row)>;

    DatasetExporter(std::vector<DatasetRow> rows, PngSource png, QString what);

    // Rows done of all rows, every ProgressStep rows and at the end; a set `cancel` throws
    // DatasetWorkCancelled at the next such step.
    void watch(DatasetService::Progress progress, const std::atomic<bool> *cancel);
    static constexpr qint64 ProgressStep = 128;

    // FOLDER/<label>/<sha256>.png, "not a digit" in FOLDER/x/.
    DatasetExport imageFolder(const QString &folder) const;
    // FOLDER/images-idx3-ubyte and FOLDER/labels-idx1-ubyte, digits only, in row order.
    DatasetExport idx(const QString &folder) const;
    // FILE: a header, then the label and 784 pixels per line, digits only.
    DatasetExport csv(const QString &file) const;

private:
    QByteArray pixelsOf(const DatasetRow &row) const;
    void rowDone(qint64 done) const;

    std::vector<DatasetRow> m_rows;
    PngSource m_png;
    QString m_what;
    DatasetService::Progress m_progress;
    const std::atomic<bool> *m_cancel = nullptr;
};

} // namespace digitdesk::annotation
