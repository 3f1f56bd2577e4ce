#include "annotation/private/datasetexporter.h"

#include "annotation/idxfile.h"
#include "annotation/imagenormalizer.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "annotation/userservice.h"
#include "storage/blobstore.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace digitdesk::annotation {
namespace {

void writeWhole(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        throw InvalidRequest(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    }
}

} // namespace

DatasetExporter::DatasetExporter(std::vector<DatasetRow> rows, PngSource png, QString what)
    : m_rows(std::move(rows)), m_png(std::move(png)), m_what(std::move(what))
{}

void DatasetExporter::watch(DatasetService::Progress progress, const std::atomic<bool> *cancel)
{
    m_progress = std::move(progress);
    m_cancel = cancel;
}

void DatasetExporter::rowDone(qint64 done) const
{
    const auto total = static_cast<qint64>(m_rows.size());
    if (done % ProgressStep != 0 && done != total) {
        return;
    }
    if (m_progress) {
        m_progress(done, total);
    }
    if (m_cancel && m_cancel->load()) {
        throw DatasetWorkCancelled("the export was cancelled");
    }
}

QByteArray DatasetExporter::pixelsOf(const DatasetRow &row) const
{
    const QString path = datasetfiles::imagePath(row.sha256);
    QString error;
    const QByteArray pixels = decodeDatasetPng(m_png(row), &error);
    if (pixels.isEmpty()) {
        throw InvalidRequest(QStringLiteral("%1: %2: %3").arg(m_what, path, error));
    }
    if (storage::BlobStore::digestOf(pixels) != row.sha256) {
        throw InvalidRequest(
            QStringLiteral("%1: %2: the pixels do not match the name").arg(m_what, path));
    }
    return pixels;
}

DatasetExport DatasetExporter::imageFolder(const QString &folder) const
{
    DatasetExport result;
    const QDir root(folder);
    qint64 done = 0;
    for (const DatasetRow &row : m_rows) {
        const QString label = row.label.text();
        if (!root.exists(label)) {
            if (!root.mkpath(label)) {
                throw InvalidRequest(
                    QStringLiteral("cannot create folder %1").arg(root.filePath(label)));
            }
            result.files << root.filePath(label);
        }
        const QByteArray png = m_png(row);
        pixelsOf(row); // checked before it leaves
        writeWhole(root.filePath(label + QLatin1Char('/') + row.sha256 + QStringLiteral(".png")),
                   png);
        ++result.images;
        rowDone(++done);
    }
    result.files.sort();
    return result;
}

DatasetExport DatasetExporter::idx(const QString &folder) const
{
    DatasetExport result;
    QByteArray images;
    QByteArray labels;
    qint64 done = 0;
    for (const DatasetRow &row : m_rows) {
        if (row.label.isNotADigit()) {
            ++result.skipped;
        } else {
            images += pixelsOf(row);
            labels += static_cast<char>(row.label.digit());
            ++result.images;
        }
        rowDone(++done);
    }
    const QDir root(folder);
    const QString imagesFile = root.filePath(QStringLiteral("images-idx3-ubyte"));
    const QString labelsFile = root.filePath(QStringLiteral("labels-idx1-ubyte"));
    const int side = NormalizedImage::Side;
    writeIdxFile(imagesFile, {result.images, side, side}, images);
    writeIdxFile(labelsFile, {result.images}, labels);
    result.files = QStringList{imagesFile, labelsFile};
    return result;
}

DatasetExport DatasetExporter::csv(const QString &file) const
{
    DatasetExport result;
    QByteArray out = "label";
    for (int p = 0; p < NormalizedImage::PixelCount; ++p) {
        out += ",pixel" + QByteArray::number(p);
    }
    out += '\n';
    qint64 done = 0;
    for (const DatasetRow &row : m_rows) {
        if (row.label.isNotADigit()) {
            ++result.skipped;
        } else {
            const QByteArray pixels = pixelsOf(row);
            out += QByteArray::number(row.label.digit());
            for (char value : pixels) {
                out += ',';
                out += QByteArray::number(static_cast<unsigned char>(value));
            }
            out += '\n';
            ++result.images;
        }
        rowDone(++done);
    }
    writeWhole(file, out);
    result.files = QStringList{file};
    return result;
}

} // namespace digitdesk::annotation
