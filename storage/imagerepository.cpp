#include "storage/imagerepository.h"

#include "storage/dialect.h"
#include "storage/labelsql.h"
#include "storage/sqlquery.h"
#include "storage/timestamps.h"

#include <QVariant>

namespace digitdesk::storage {
namespace {

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

QString whereClause(const ImageFilter &filter)
{
    QStringList conditions;
    if (filter.status) {
        conditions << QStringLiteral("i.status = :status");
    }
    if (!filter.source.isEmpty()) {
        conditions << QStringLiteral("i.source = :source");
    }
    return conditions.isEmpty()
               ? QString()
               : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
}

void bindFilter(SqlQuery &query, const ImageFilter &filter)
{
    if (filter.status) {
        query.bind(QStringLiteral(":status"), labelsql::toColumn(*filter.status));
    }
    if (!filter.source.isEmpty()) {
        query.bind(QStringLiteral(":source"), filter.source);
    }
}

} // namespace

struct ImageRepository::Statements
{
    explicit Statements(const QSqlDatabase &db)
        : insertImage(
              db,
              QStringLiteral("INSERT INTO images (sha256, source, pixels, original_sha256,"
                             " original_name, status, imported_at, imported_by, session_id) VALUES"
                             " (:sha, :source, :pixels, :original, :name, :status, :at, :by,"
                             " :session) ON CONFLICT (sha256) DO NOTHING RETURNING id"),
              QStringLiteral("store an image")),
          insertLabel(db,
                      QStringLiteral("INSERT INTO labels (image_id, label, origin, annotator_id,"
                                     " session_id, created_at) VALUES (:image, :label, :origin,"
                                     " :annotator, :session, :at) RETURNING id"),
                      QStringLiteral("store an imported label")),
          insertReview(db,
                       QStringLiteral("INSERT INTO reviews (label_id, verdict, reviewer,"
                                      " reviewer_id, session_id, comment, created_at) VALUES"
                                      " (:label, 'approved', :reviewer, :reviewer_id, :session,"
                                      " :comment, :at)"),
                       QStringLiteral("store the approval of an imported label"))
    {}
    SqlQuery insertImage;
    SqlQuery insertLabel;
    SqlQuery insertReview;
};

ImageRepository::ImageRepository(const QSqlDatabase &db) : m_db(db) {}

ImageRepository::~ImageRepository() = default;

qint64 ImageRepository::insert(const NewImage &image, const ActorRef &actor)
{
    if (!m_statements) {
        m_statements = std::make_unique<Statements>(m_db);
    }
    const QString at = nowDbTime();
    const ImageStatus status = image.labelKind == ImportedLabel::Approved ? ImageStatus::Approved
                               : image.labelKind == ImportedLabel::Unreviewed
                                   ? ImageStatus::Labelled
                                   : ImageStatus::Incoming;
    SqlQuery &insertImage = m_statements->insertImage;
    insertImage.bindAll({{QStringLiteral(":sha"), image.sha256},
                         {QStringLiteral(":source"), image.source},
                         {QStringLiteral(":pixels"), image.pixels},
                         {QStringLiteral(":original"), textOrNull(image.originalSha256)},
                         {QStringLiteral(":name"), textOrNull(image.originalName)},
                         {QStringLiteral(":status"), labelsql::toColumn(status)},
                         {QStringLiteral(":at"), at},
                         {QStringLiteral(":by"), actor.name},
                         {QStringLiteral(":session"), idOrNull(actor.sessionId)}});
    const std::optional<qint64> inserted = insertImage.insertReturningIdIfInserted();
    if (!inserted) {
        return 0;
    }
    const qint64 imageId = *inserted;
    if (image.labelKind == ImportedLabel::None) {
        return imageId;
    }
    // Whoever imports labels unreviewed is their annotator, so four eyes keeps them from
    // approving them; labels imported approved carry the importer's review instead.
    const qint64 annotatorId = image.labelKind == ImportedLabel::Unreviewed ? actor.userId : 0;
    SqlQuery &insertLabel = m_statements->insertLabel;
    insertLabel.bindAll({{QStringLiteral(":image"), imageId},
                         {QStringLiteral(":label"), labelsql::toColumn(image.label)},
                         {QStringLiteral(":origin"), QStringLiteral("import:") + image.source},
                         {QStringLiteral(":annotator"), idOrNull(annotatorId)},
                         {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                         {QStringLiteral(":at"), at}});
    const qint64 labelId = insertLabel.insertReturningId();
    if (image.labelKind == ImportedLabel::Approved) {
        SqlQuery &insertReview = m_statements->insertReview;
        insertReview.bindAll({{QStringLiteral(":label"), labelId},
                              {QStringLiteral(":reviewer"), actor.name},
                              {QStringLiteral(":reviewer_id"), idOrNull(actor.userId)},
                              {QStringLiteral(":session"), idOrNull(actor.sessionId)},
                              {QStringLiteral(":comment"), QStringLiteral("imported as approved")},
                              {QStringLiteral(":at"), at}});
        insertReview.exec();
    }
    return imageId;
}

qint64 ImageRepository::count(const ImageFilter &filter) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT COUNT(*) FROM images i") + whereClause(filter),
                   QStringLiteral("count images"));
    bindFilter(query, filter);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::vector<ImageSummary> ImageRepository::list(const ImageFilter &filter) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT i.id, i.status, ") + labelsql::latestLabelIndex() +
                       QStringLiteral(" FROM images i") + whereClause(filter) +
                       QStringLiteral(" ORDER BY i.id"),
                   QStringLiteral("list images"));
    bindFilter(query, filter);
    query.exec();
    std::vector<ImageSummary> images;
    while (query.next()) {
        ImageSummary summary;
        summary.id = query.value(0).toLongLong();
        summary.status = labelsql::statusFromColumn(query.value(1));
        summary.label = labelsql::fromIndexColumn(query.value(2));
        images.push_back(summary);
    }
    return images;
}

QStringList ImageRepository::sources() const
{
    SqlQuery query(m_db, QStringLiteral("SELECT DISTINCT source FROM images ORDER BY source"),
                   QStringLiteral("list image sources"));
    query.exec();
    QStringList sources;
    while (query.next()) {
        sources << query.value(0).toString();
    }
    return sources;
}

QHash<qint64, QByteArray> ImageRepository::pixels(const std::vector<qint64> &ids) const
{
    QHash<qint64, QByteArray> result;
    if (ids.empty()) {
        return result;
    }
    SqlQuery query(m_db,
                   QStringLiteral("SELECT id, pixels FROM images WHERE id IN (%1)")
                       .arg(Dialect::of(m_db).idsFromJsonArray(QStringLiteral(":ids"))),
                   QStringLiteral("read image pixels"));
    query.bind(QStringLiteral(":ids"), idsAsJsonArray(ids));
    query.exec();
    while (query.next()) {
        result.insert(query.value(0).toLongLong(), query.value(1).toByteArray());
    }
    return result;
}

qint64 ImageRepository::idOfDigest(const QString &sha256) const
{
    SqlQuery query(m_db, QStringLiteral("SELECT id FROM images WHERE sha256 = :sha"),
                   QStringLiteral("find the image with digest %1").arg(sha256));
    query.bind(QStringLiteral(":sha"), sha256);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::optional<ImageDetails> ImageRepository::details(qint64 id) const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT i.id, i.sha256, i.source, i.pixels, i.original_sha256,"
                                  " i.original_name, i.status, i.imported_at, i.imported_by, ") +
                       labelsql::latestLabelIndex() +
                       QStringLiteral(" FROM images i WHERE i.id = :id"),
                   QStringLiteral("read image #%1").arg(id));
    query.bind(QStringLiteral(":id"), id);
    query.exec();
    if (!query.next()) {
        return std::nullopt;
    }
    ImageDetails image;
    image.id = query.value(0).toLongLong();
    image.sha256 = query.value(1).toString();
    image.source = query.value(2).toString();
    image.pixels = query.value(3).toByteArray();
    image.originalSha256 = query.value(4).toString();
    image.originalName = query.value(5).toString();
    image.status = labelsql::statusFromColumn(query.value(6));
    image.importedAt = fromDbTime(query.value(7).toString());
    image.importedBy = query.value(8).toString();
    image.label = labelsql::fromIndexColumn(query.value(9));
    return image;
}

QStringList ImageRepository::originalDigests() const
{
    SqlQuery query(m_db,
                   QStringLiteral("SELECT DISTINCT original_sha256 FROM images"
                                  " WHERE original_sha256 IS NOT NULL"),
                   QStringLiteral("list original scans"));
    query.exec();
    QStringList digests;
    while (query.next()) {
        digests << query.value(0).toString();
    }
    return digests;
}

} // namespace digitdesk::storage
