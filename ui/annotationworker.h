#pragma once

#include "annotation/annotationservice.h"
#include "annotation/principal.h"
#include "storage/label.h"
#include "ui/labelmetatype.h"

#include <QObject>
#include <QString>

#include <memory>

namespace digitdesk::storage {
class Connection;
}

Q_DECLARE_METATYPE(digitdesk::annotation::QueueItem)
Q_DECLARE_METATYPE(QList<digitdesk::annotation::QueueItem>)
Q_DECLARE_METATYPE(QList<digitdesk::annotation::HistoryEntry>)
Q_DECLARE_METATYPE(digitdesk::annotation::LabelDecision)
Q_DECLARE_METATYPE(digitdesk::annotation::QueueFigures)

namespace digitdesk::ui {

// Runs the annotation service on its own thread with its own database connection, one
// request at a time in the order they were made, so the GUI thread never waits for a disk
// write. Every decision is acknowledged only once it is committed.
class AnnotationWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnnotationWorker)

public:
    static constexpr int StripLength = 8;

    AnnotationWorker(QString databasePath, annotation::Principal who);
    ~AnnotationWorker() override;

public Q_SLOTS:
    void fetchNext();
    void saveLabel(qint64 imageId, digitdesk::storage::Label label, qint64 timeSpentMs);
    void skip(qint64 imageId);
    void undo();
    void fetchPage(int count);
    void fetchHistory();
    void fetchUpcoming();
    void relabel(qint64 labelId, digitdesk::storage::Label label);
    void savePage(const QList<qint64> &imageIds, const QList<digitdesk::storage::Label> &labels,
                  qint64 timeSpentMs);
    // What the queue bar shows (AnnotationService::queueFigures).
    void fetchQueueFigures();

Q_SIGNALS:
    void itemReady(const digitdesk::annotation::QueueItem &item);
    void queueEmpty();
    // goldLabel is the right answer when the image was a gold item.
    void labelSaved(qint64 imageId, digitdesk::storage::Label label,
                    digitdesk::storage::MaybeLabel goldLabel);
    // The images `fetchNext` will give after the current one, in order.
    void upcomingReady(const QList<qint64> &imageIds, const QList<QByteArray> &pixels);
    void pageReady(const QList<digitdesk::annotation::QueueItem> &items);
    void pageSaved(int count);
    void historyReady(const QList<digitdesk::annotation::HistoryEntry> &entries);
    // A label from the history changed: the old label's id and the decision that replaced it.
    void relabelled(qint64 oldLabelId, const digitdesk::annotation::LabelDecision &decision);
    void undone(qint64 imageId, digitdesk::storage::Label label);
    void failed(const QString &reason);
    // The next image (or the strip) could not be read; nothing was lost.
    void fetchFailed(const QString &reason);
    // Only the strip could not be read; the image on screen is unaffected.
    void upcomingFailed(const QString &reason);
    void queueFiguresReady(const digitdesk::annotation::QueueFigures &figures);
    void queueFiguresFailed(const QString &reason);

private:
    annotation::AnnotationService &service();
    void emitUpcoming();

    QString m_databasePath;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<annotation::AnnotationService> m_service;
};

} // namespace digitdesk::ui
