#pragma once

#include "annotation/datasetservice.h"
#include "storage/datasetversionrepository.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <vector>

namespace digitdesk::annotation {

// The files of a version's tree (DESIGN.md, "Dataset versions"): labels.csv, dataset.json and
// images/ab/<sha256>.png. What is read back may come from someone else's repository (a pull),
// so every parser here checks what it reads and bounds its work.
namespace datasetfiles {

inline const QString LabelsPath = QStringLiteral("labels.csv");
inline const QString ManifestPath = QStringLiteral("dataset.json");
inline const QString ImagesFolder = QStringLiteral("images/");
inline constexpr qsizetype MaxRows = 10'000'000;

// images/<first two hex digits>/<sha256>.png
QString imagePath(const QString &sha256);
bool isSha256(const QString &text);

// The header sha256,label,annotator,reviewer,source,approved_at, then one row per image;
// `images` must be sorted by SHA-256 already.
QByteArray writeLabels(const std::vector<storage::ApprovedImage> &images);
// Throws InvalidRequest naming `what` and the line when the file is not such a table.
std::vector<DatasetRow> parseLabels(const QByteArray &csv, const QString &what);
// Only the first column, as views into `csv`, in order: what an incremental commit compares
// with, at a fraction of the cost of every field. Throws InvalidRequest as parseLabels does.
std::vector<QByteArrayView> imageNamesOf(const QByteArray &csv, const QString &what);

struct Manifest
{
    int schemaVersion = DatasetService::SchemaVersion;
    QString tag;
    int imageCount = 0;
    std::array<int, 11> histogram{}; // 0-9, then "not a digit"
    QString parentTag;               // empty for a first version
    QString parentCommit;
};

std::array<int, 11> histogramOf(const std::vector<DatasetRow> &rows);
std::array<int, 11> histogramOf(const std::vector<storage::ApprovedImage> &images);
QByteArray writeManifest(const Manifest &manifest);
// Throws InvalidRequest naming `what` when it is not a dataset.json this version can read.
Manifest parseManifest(const QByteArray &json, const QString &what);

} // namespace datasetfiles
} // namespace digitdesk::annotation
