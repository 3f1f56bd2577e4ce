#include "storage/labelsql.h"

#include "storage/storageerror.h"

#include <optional>

namespace digitdesk::storage {

QString toString(ImageStatus status)
{
    switch (status) {
    case ImageStatus::Incoming:
        return QStringLiteral("incoming");
    case ImageStatus::Labelled:
        return QStringLiteral("labelled");
    case ImageStatus::Approved:
        return QStringLiteral("approved");
    }
    return {};
}

namespace labelsql {

QVariant toColumn(Label label)
{
    return label.isDigit() ? QVariant(label.digit()) : QVariant();
}

QVariant toColumn(const MaybeLabel &label)
{
    return label ? toColumn(*label) : QVariant();
}

Label fromColumn(const QVariant &value)
{
    if (value.isNull()) {
        return Label::notADigit();
    }
    bool ok = false;
    const int digit = value.toInt(&ok);
    if (!ok || digit < 0 || digit > 9) {
        throw StorageError(QStringLiteral("the label %1 in the database is not a digit 0-9")
                               .arg(value.toString()));
    }
    return Label::fromDigit(digit);
}

MaybeLabel fromIndexColumn(const QVariant &value)
{
    if (value.isNull()) {
        return std::nullopt;
    }
    bool ok = false;
    const int index = value.toInt(&ok);
    if (!ok || index < 0 || index > Label::NotADigitIndex) {
        throw StorageError(
            QStringLiteral("the label index %1 read from the database is neither 0-9 nor 10")
                .arg(value.toString()));
    }
    return Label::fromIndex(index);
}

QString indexOf(const QString &column)
{
    return QStringLiteral("COALESCE(%1, %2)").arg(column).arg(Label::NotADigitIndex);
}

QString latestLabelIndex()
{
    return QStringLiteral(
               "(SELECT COALESCE((SELECT r.corrected_label FROM reviews r WHERE r.label_id = l.id"
               " AND r.verdict = 'corrected' ORDER BY r.id DESC LIMIT 1), l.label, %1) FROM"
               " labels l WHERE l.image_id = i.id AND l.retracted_at IS NULL ORDER BY l.id DESC"
               " LIMIT 1)")
        .arg(Label::NotADigitIndex);
}

QVariant toColumn(ImageStatus status)
{
    return toString(status);
}

ImageStatus statusFromColumn(const QVariant &value)
{
    for (ImageStatus status :
         {ImageStatus::Incoming, ImageStatus::Labelled, ImageStatus::Approved}) {
        if (toString(status) == value.toString()) {
            return status;
        }
    }
    throw StorageError(
        QStringLiteral("the image status '%1' in the database is not one of incoming,"
                       " labelled, approved")
            .arg(value.toString()));
}

} // namespace labelsql
} // namespace digitdesk::storage
