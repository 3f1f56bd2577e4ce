#pragma once

#include "storage/label.h"

#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>
#include <QString>

#include <vector>

namespace digitdesk::storage {

struct DailyLabelCount
{
    QString day; // UTC date, "2026-11-23"
    QString annotator;
    int labels = 0;
};

// An annotator's answer on a gold item.
struct GoldAnswerRow
{
    QString annotator;
    QDateTime answeredAt;
    bool right = false;
};

// A label a reviewer approved or corrected: what the annotator said and what the reviewer let
// stand.
struct ReviewedLabelRow
{
    QString annotator;
    QDateTime labelledAt;
    Label label = Label::notADigit();
    Label reviewerLabel = Label::notADigit();
};

struct AnnotatorFigures
{
    qint64 userId = 0;
    QString name;
    int labels = 0;
    int reviewed = 0;
    int approvedAsIs = 0; // reviewed and approved without correction
    int goldAnswered = 0;
    int goldRight = 0;
};

// Two annotators' standing labels on one image.
struct LabelPair
{
    qint64 imageId = 0;
    Label first = Label::notADigit();
    Label second = Label::notADigit();
};

struct QueueState
{
    int incoming = 0;
    QDateTime oldestIncoming; // imported_at of the oldest incoming image; invalid when none
    int labelled = 0;         // waiting for review
};

struct ServingTotals
{
    qint64 requests = 0;
    qint64 bad = 0;
};

struct ImageOrigin
{
    QString source;
    QDateTime importedAt;
};

// The read-only queries behind the team's figures (the Overview) and a release's slices (the
// Validation view). Times bound as [from, until): `from` included, `until` not.
class TeamFiguresRepository final
{
public:
    explicit TeamFiguresRepository(const QSqlDatabase &db) : m_db(db) {}

    // Labels annotators gave in the span and did not take back themselves (undo, relabel); a
    // label a reviewer rejected still counts as work done. Gold answers count too.
    std::vector<DailyLabelCount> labelsPerDay(const QDateTime &from, const QDateTime &until) const;
    // Standing gold answers given in the span, oldest first.
    std::vector<GoldAnswerRow> goldAnswers(const QDateTime &from, const QDateTime &until) const;
    // Labels given in the span that a review approved or corrected, oldest first.
    std::vector<ReviewedLabelRow> reviewedLabels(const QDateTime &from,
                                                 const QDateTime &until) const;
    QueueState queueState() const;
    // Requests and bad requests of the minutes since the Unix epoch in [first, end).
    ServingTotals servingTotals(qint64 firstMinute, qint64 endMinute) const;
    // Where each image came from and when it was imported (unknown ids left out).
    QHash<qint64, ImageOrigin> originsOf(const std::vector<qint64> &imageIds) const;

    // Every annotator's totals, all time: labels, reviews, gold answers.
    std::vector<AnnotatorFigures> annotatorFigures() const;
    // The two annotators' standing labels on the images both labelled (gold checks aside).
    std::vector<LabelPair> sharedLabels(qint64 firstUserId, qint64 secondUserId) const;

private:
    QSqlDatabase m_db;
};

} // namespace digitdesk::storage
