#pragma once

#include "storage/actorref.h"
#include "storage/label.h"

#include <QByteArray>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace digitdesk::storage {

// A row of dataset_versions: a tagged commit of dataset.git and who made it.
struct DatasetVersionRecord
{
    QString tag;    // "v3", or "origin/v3" for a pulled version
    int number = 0; // 3
    QString commitId;
    QString author;
    ActorRef recordedBy; // who made or pulled it (user and login session)
    QDateTime createdAt;
    QString message;
    int imageCount = 0;
    std::array<int, Label::Classes> histogram{}; // by Label::index()
    QString parentTag;
    QString origin; // empty for this workspace's own versions, else the remote's name
};

// An approved image with its standing label and the people behind it: one row of a version.
struct ApprovedImage
{
    qint64 imageId = 0;
    QString sha256;
    Label label = Label::notADigit();
    QString annotator;
    QString reviewer;
    QString source;
    QString approvedAt; // as stored, "2026-11-23T12:00:00.000Z": labels.csv writes it as it is
};

// The dataset_versions table, and the read-only queries a version is built from.
class DatasetVersionRepository final
{
public:
    explicit DatasetVersionRepository(const QSqlDatabase &db) : m_db(db) {}

    void insert(const DatasetVersionRecord &version);
    // Newest first.
    std::vector<DatasetVersionRecord> list() const;
    std::optional<DatasetVersionRecord> find(const QString &tag) const;
    // This workspace's newest version (pulled ones left out).
    std::optional<DatasetVersionRecord> newestOwn() const;

    // Every approved image with its standing label (the newest label that is neither retracted
    // nor an annotator's answer on a gold item, as its review corrected it), the annotator's
    // name, the reviewer's and the approval time; in no particular order.
    std::vector<ApprovedImage> approvedImages() const;
    // Ids of the models whose training data was this commit, oldest first.
    std::vector<qint64> modelsTrainedOn(const QString &commitId) const;
    // A label that came with a dataset version: the annotator is kept as text in `origin`, as
    // for every label that no workspace user gave. Returns the label id.
    qint64 addVersionLabel(qint64 imageId, Label label, const QString &annotator,
                           const ActorRef &actor, const QDateTime &createdAt);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
