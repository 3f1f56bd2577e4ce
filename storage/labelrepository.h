#pragma once

#include "storage/imagestatus.h"
#include "storage/label.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <vector>

namespace digitdesk::storage {

struct LabelRow
{
    qint64 id = 0;
    qint64 imageId = 0;
    Label label = Label::notADigit();
    qint64 annotatorId = 0;
    QString annotator;
    QDateTime createdAt;
    bool reviewed = false;
};

// Annotators' labels (standing, retracted, put back) and the image status they move.
class LabelRepository final
{
public:
    explicit LabelRepository(const QSqlDatabase &db) : m_db(db) {}

    // `goldCheck`: the label answers a gold item, so it counts for the annotator's figures, not
    // for the image.
    qint64 addLabel(qint64 imageId, Label label, qint64 userId, qint64 sessionId,
                    qint64 timeSpentMs, bool goldCheck = false);
    int activeLabelCount(qint64 imageId) const;
    // Whether the user's standing label on the image is an answer to a gold item.
    bool isGoldCheck(qint64 labelId) const;
    bool hasStandingLabel(qint64 imageId, qint64 userId) const;
    void retractLabel(qint64 labelId, const QString &by);
    // Puts a retracted label back, as if it had never been retracted.
    void restoreLabel(qint64 labelId);
    std::vector<LabelRow> activeLabels(qint64 imageId) const;
    std::optional<LabelRow> lastActiveLabelBy(qint64 userId) const;
    std::optional<LabelRow> findLabel(qint64 labelId) const;
    std::vector<LabelRow> historyOf(qint64 userId, int limit) const;
    // The user's standing labels (undone ones not counted): the position in their queue.
    qint64 labelCountBy(qint64 userId) const;
    // Labels the user gave since `from` and did not take back themselves (undo, relabel), as
    // the Overview counts a day's work: a label a reviewer rejected still counts.
    qint64 labelsGivenSince(qint64 userId, const QDateTime &from) const;

    // Nothing when there is no such image.
    std::optional<ImageStatus> status(qint64 imageId) const;
    void setStatus(qint64 imageId, ImageStatus status);

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
