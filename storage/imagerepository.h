#pragma once

#include "storage/actorref.h"
#include "storage/imagestatus.h"
#include "storage/label.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace digitdesk::storage {

// What an import knows of an image's label.
enum class ImportedLabel
{
    None,
    Unreviewed,
    Approved
};

struct NewImage
{
    QString sha256; // of the 784 normalised pixels: the identity of the example
    QString source;
    QByteArray pixels;      // 28x28, row-major, white ink on black
    QString originalSha256; // of the original file in the blob store; empty when none
    QString originalName;
    ImportedLabel labelKind = ImportedLabel::None;
    Label label = Label::notADigit(); // read unless labelKind is None
};

struct ImageSummary
{
    qint64 id = 0;
    ImageStatus status = ImageStatus::Incoming;
    MaybeLabel label; // the latest standing label, as its review corrected it
};

struct ImageDetails
{
    qint64 id = 0;
    QString sha256;
    QString source;
    QByteArray pixels;
    QString originalSha256;
    QString originalName;
    ImageStatus status = ImageStatus::Incoming;
    QDateTime importedAt;
    QString importedBy;
    MaybeLabel label;
};

struct ImageFilter
{
    std::optional<ImageStatus> status;
    QString source; // empty: every source
};

class ImageRepository final
{
public:
    explicit ImageRepository(const QSqlDatabase &db);
    ~ImageRepository();

    // Inserts one image (and its imported label) unless an image with the same digest exists.
    // Returns the new id, or 0 for a duplicate. Call inside a Transaction for speed.
    qint64 insert(const NewImage &image, const ActorRef &actor);

    qint64 count(const ImageFilter &filter = {}) const;
    std::vector<ImageSummary> list(const ImageFilter &filter) const;
    QStringList sources() const;
    QHash<qint64, QByteArray> pixels(const std::vector<qint64> &ids) const;
    std::optional<ImageDetails> details(qint64 id) const;
    // The image with these pixels' digest; 0 when there is none.
    qint64 idOfDigest(const QString &sha256) const;
    // Every (original digest) the images table refers to, for the workspace check.
    QStringList originalDigests() const;

private:
    struct Statements;
    QSqlDatabase m_db;
    std::unique_ptr<Statements> m_statements;
};

} // namespace digitdesk::storage
