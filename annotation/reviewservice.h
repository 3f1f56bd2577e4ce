#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace digitdesk::annotation {

struct ReviewLabel
{
    qint64 labelId = 0;
    int label = -1; // -1: not a digit
    QString annotator;
};

struct ReviewItem
{
    qint64 imageId = 0;
    QByteArray pixels;
    std::vector<ReviewLabel> labels;
    int predictedLabel = -1; // the production model's answer, -1 when none
    float confidence = -1;
    QStringList history; // who did what to this image, oldest first
};

// The reviewer's side: approve, correct (approve with another digit) or reject a labelled
// image. Four eyes: nobody reviews an image they labelled themselves, whatever the view shows.
class ReviewService final
{
public:
    explicit ReviewService(const QSqlDatabase &db) : m_db(db), m_access(db) {}

    std::optional<ReviewItem> next(const Principal &who) const;
    void approve(const Principal &who, qint64 imageId);
    void correct(const Principal &who, qint64 imageId, int label);
    // Sends the image back to the queue; the comment is kept for the annotator.
    void reject(const Principal &who, qint64 imageId, const QString &comment);
    // Marks an approved image as gold: its approved label becomes the right answer that
    // annotators are checked against, unannounced, in their queues.
    void markGold(const Principal &who, qint64 imageId);

private:
    // The image's standing labels; nothing when one of them is the reviewer's own.
    std::optional<std::vector<ReviewLabel>> reviewableLabels(const Principal &who,
                                                             qint64 imageId) const;
    void decide(const Principal &who, qint64 imageId, const QString &verdict, int label,
                const QString &comment);

    QSqlDatabase m_db;
    AccessControl m_access;
};

} // namespace digitdesk::annotation
