#include "storage/datasetversionrepository.h"

#include "storage/labelsql.h"
#include "storage/private/approvedimagessql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace digitdesk::storage {
namespace {

const QString SelectVersion = QStringLiteral(
    "SELECT tag, number, commit_id, author, COALESCE(user_id, 0), COALESCE(session_id, 0),"
    " created_at, message, image_count, histogram, parent_tag, origin FROM dataset_versions");

QString histogramText(const std::array<int, 11> &histogram)
{
    QJsonArray array;
    for (int count : histogram) {
        array.append(count);
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

std::array<int, 11> histogramFromText(const QString &text)
{
    std::array<int, 11> histogram{};
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (qsizetype i = 0; i < array.size() && i < 11; ++i) {
        histogram[static_cast<size_t>(i)] = array.at(i).toInt();
    }
    return histogram;
}

DatasetVersionRecord readVersion(const SqlQuery &query)
{
    DatasetVersionRecord version;
    version.tag = query.value(0).toString();
    version.number = query.value(1).toInt();
    version.commitId = query.value(2).toString();
    version.author = query.value(3).toString();
    version.recordedBy = {version.author, query.value(4).toLongLong(), query.value(5).toLongLong()};
    version.createdAt = fromDbTime(query.value(6).toString());
    version.message = query.value(7).toString();
    version.imageCount = query.value(8).toInt();
    version.histogram = histogramFromText(query.value(9).toString());
    version.parentTag = query.value(10).toString();
    version.origin = query.value(11).toString();
    return version;
}

} // namespace

void DatasetVersionRepository::insert(const DatasetVersionRecord &version)
{
    SqlQuery query(m_db,
                   QStringLiteral("INSERT INTO dataset_versions (tag, number, commit_id, author,"
                                  " user_id, session_id, created_at, message, image_count,"
                                  " histogram, parent_tag, origin) VALUES (:tag, :number, :commit,"
                                  " :author, :user, :session, :at, :message, :count, :histogram,"
                                  " :parent, :origin)"),
                   QStringLiteral("record dataset version %1").arg(version.tag));
    query.bindAll({{QStringLiteral(":tag"), version.tag},
                   {QStringLiteral(":number"), version.number},
                   {QStringLiteral(":commit"), version.commitId},
                   {QStringLiteral(":author"), textOrEmpty(version.author)},
                   {QStringLiteral(":user"), idOrNull(version.recordedBy.userId)},
                   {QStringLiteral(":session"), idOrNull(version.recordedBy.sessionId)},
                   {QStringLiteral(":at"), toDbTime(version.createdAt)},
                   {QStringLiteral(":message"), textOrEmpty(version.message)},
                   {QStringLiteral(":count"), version.imageCount},
                   {QStringLiteral(":histogram"), histogramText(version.histogram)},
                   {QStringLiteral(":parent"), textOrEmpty(version.parentTag)},
                   {QStringLiteral(":origin"), textOrEmpty(version.origin)}});
    query.exec();
}

std::vector<DatasetVersionRecord> DatasetVersionRepository::list() const
{
    SqlQuery query(m_db, SelectVersion + QStringLiteral(" ORDER BY created_at DESC, id DESC"),
                   QStringLiteral("list dataset versions"));
    query.exec();
    std::vector<DatasetVersionRecord> versions;
    while (query.next()) {
        versions.push_back(readVersion(query));
    }
    return versions;
}

std::optional<DatasetVersionRecord> DatasetVersionRepository::find(const QString &tag) const
{
    SqlQuery query(m_db, SelectVersion + QStringLiteral(" WHERE tag = :tag"),
                   QStringLiteral("read dataset version %1").arg(tag));
    query.bind(QStringLiteral(":tag"), tag);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readVersion(query);
}

std::optional<DatasetVersionRecord> DatasetVersionRepository::newestOwn() const
{
    SqlQuery query(
        m_db, SelectVersion + QStringLiteral(" WHERE origin = '' ORDER BY number DESC LIMIT 1"),
        QStringLiteral("read the newest dataset version"));
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    return readVersion(query);
}

std::vector<ApprovedImage> DatasetVersionRepository::approvedImages() const
{
    // One pass over the approved images: each image's standing label and its newest review are
    // found through the labels_image and reviews_label indexes. Sorting is left to the caller:
    // a sort in SQL would carry every column through a temporary B-tree, at twice the cost.
    SqlQuery query(
        m_db,
        detail::approvedImagesWithStandingLabel(QStringLiteral("i.id, i.sha256, i.source")) +
            QStringLiteral(
                "SELECT i.id, i.sha256, i.source,"
                " CASE WHEN r.verdict = 'corrected' THEN r.corrected_label ELSE l.label END,"
                " COALESCE(u.name, l.origin), r.reviewer, COALESCE(r.created_at, i.imported_at)"
                " FROM approved i JOIN labels l ON l.id = i.label_id"
                " LEFT JOIN users u ON u.id = l.annotator_id"
                " LEFT JOIN reviews r ON r.id = i.review_id"),
        QStringLiteral("read the approved images"));
    query.bind(QStringLiteral(":approved"), labelsql::toColumn(ImageStatus::Approved));
    query.exec();
    std::vector<ApprovedImage> images;
    while (query.next()) {
        ApprovedImage image;
        image.imageId = query.value(0).toLongLong();
        image.sha256 = query.value(1).toString();
        image.source = query.value(2).toString();
        image.label = labelsql::fromColumn(query.value(3));
        image.annotator = query.value(4).toString();
        image.reviewer = query.value(5).toString();
        image.approvedAt = query.value(6).toString();
        images.push_back(std::move(image));
    }
    return images;
}

std::vector<qint64> DatasetVersionRepository::modelsTrainedOn(const QString &commitId) const
{
    SqlQuery query(
        m_db, QStringLiteral("SELECT id FROM models WHERE dataset_commit = :commit ORDER BY id"),
        QStringLiteral("find the models trained on commit %1").arg(commitId));
    query.bind(QStringLiteral(":commit"), commitId);
    query.exec();
    std::vector<qint64> ids;
    while (query.next()) {
        ids.push_back(query.value(0).toLongLong());
    }
    return ids;
}

qint64 DatasetVersionRepository::addVersionLabel(qint64 imageId, Label label,
                                                 const QString &annotator, const ActorRef &actor,
                                                 const QDateTime &createdAt)
{
    SqlQuery query(
        m_db,
        QStringLiteral("INSERT INTO labels (image_id, label, origin, annotator_id,"
                       " session_id, created_at) VALUES (:image, :label, :origin, NULL,"
                       " :session, :at) RETURNING id"),
        QStringLiteral("store the label of image #%1 from a dataset version").arg(imageId));
    query.bindAll({{QStringLiteral(":image"), imageId},
                   {QStringLiteral(":label"), labelsql::toColumn(label)},
                   {QStringLiteral(":origin"), textOrEmpty(annotator)},
                   {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                   {QStringLiteral(":at"), toDbTime(createdAt)}});
    return query.insertReturningId();
}

} // namespace digitdesk::storage
