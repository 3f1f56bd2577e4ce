#pragma once

#include "annotation/annotationservice.h"

#include <QWidget>

class QLabel;
class QProgressBar;

namespace digitdesk::ui {

// The annotate view's top bar: what the queue could still give the annotator, what waits for a
// reviewer, and today's labels against the team's daily target.
class AnnotateQueueBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnnotateQueueBar)

public:
    explicit AnnotateQueueBar(QWidget *parent = nullptr);

    void setFigures(const annotation::QueueFigures &figures);
    // The figures could not be read: said in the bar until they can be again.
    void setProblem(const QString &reason);
    QString queueText() const;
    QString todayText() const;

private:
    QLabel *m_queue;
    QLabel *m_today;
    QProgressBar *m_progress;
};

} // namespace digitdesk::ui
