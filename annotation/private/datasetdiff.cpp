#include "annotation/private/datasetdiff.h"

#include "annotation/private/datasetfiles.h"

#include <QJsonArray>
#include <QJsonObject>

namespace digitdesk::annotation {
namespace {

QJsonObject rowJson(const DatasetRow &row)
{
    return {{QStringLiteral("path"), datasetfiles::imagePath(row.sha256)},
            {QStringLiteral("label"), row.label.text()},
            {QStringLiteral("annotator"), row.annotator},
            {QStringLiteral("reviewer"), row.reviewer}};
}

QJsonArray rowsJson(const std::vector<DatasetRow> &rows)
{
    QJsonArray array;
    for (const DatasetRow &row : rows) {
        array.append(rowJson(row));
    }
    return array;
}

} // namespace

QJsonDocument DatasetDiff::toJson() const
{
    QJsonArray modified;
    for (const auto &[before, after] : relabelled) {
        modified.append(QJsonObject{{QStringLiteral("path"), datasetfiles::imagePath(after.sha256)},
                                    {QStringLiteral("before"), rowJson(before)},
                                    {QStringLiteral("after"), rowJson(after)}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("added"), rowsJson(added)},
                                     {QStringLiteral("deleted"), rowsJson(deleted)},
                                     {QStringLiteral("modified"), modified},
                                     {QStringLiteral("renamed"), QJsonArray()}});
}

DatasetDiff diffRows(const std::vector<DatasetRow> &before, const std::vector<DatasetRow> &after,
                     const QString &fromTag, const QString &toTag)
{
    DatasetDiff diff;
    diff.fromTag = fromTag;
    diff.toTag = toTag;
    auto old = before.begin();
    auto now = after.begin();
    while (old != before.end() || now != after.end()) {
        if (now == after.end() || (old != before.end() && old->sha256 < now->sha256)) {
            diff.deleted.push_back(*old++);
        } else if (old == before.end() || now->sha256 < old->sha256) {
            diff.added.push_back(*now++);
        } else {
            if (old->label != now->label) {
                diff.relabelled.emplace_back(*old, *now);
            }
            ++old;
            ++now;
        }
    }
    return diff;
}

} // namespace digitdesk::annotation
