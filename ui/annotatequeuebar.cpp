#include "ui/annotatequeuebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

#include <algorithm>

namespace digitdesk::ui {

AnnotateQueueBar::AnnotateQueueBar(QWidget *parent)
    : QWidget(parent), m_queue(new QLabel(this)), m_today(new QLabel(this)),
      m_progress(new QProgressBar(this))
{
    m_queue->setObjectName(QStringLiteral("queueFigures"));
    m_today->setObjectName(QStringLiteral("todayFigures"));
    m_progress->setObjectName(QStringLiteral("dailyProgress"));
    m_queue->setText(tr("Reading the queue…"));
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(220);
    m_progress->setMinimumWidth(40);
    m_progress->setFixedHeight(m_today->fontMetrics().height());
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    // A narrow window squeezes the figures rather than grows.
    for (QLabel *label : {m_queue, m_today}) {
        label->setMinimumWidth(1);
    }
    QFont bold = m_today->font();
    bold.setBold(true);
    m_today->setFont(bold);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_queue);
    layout->addWidget(m_today);
    layout->addWidget(m_progress, 1);
    layout->addStretch(2);
}

void AnnotateQueueBar::setFigures(const annotation::QueueFigures &figures)
{
    const QLocale locale;
    m_queue->setText(
        tr("Left for you %1 · Waiting for review %2")
            .arg(locale.toString(figures.leftForYou), locale.toString(figures.waitingForReview)));
    m_queue->setToolTip(
        tr("Left for you: images the queue could still give you (leased to others and your "
           "own labels left out). Waiting for review: labelled images no reviewer has seen."));
    m_today->setText(
        tr("Today %1 / %2")
            .arg(locale.toString(figures.labelledToday), locale.toString(figures.dailyTarget)));
    m_today->setToolTip(tr("Your labels since midnight UTC against the team's daily target"));
    m_progress->setRange(0, std::max(1, figures.dailyTarget));
    m_progress->setValue(static_cast<int>(
        std::min<qint64>(figures.labelledToday, std::max(1, figures.dailyTarget))));
}

void AnnotateQueueBar::setProblem(const QString &reason)
{
    m_queue->setText(tr("The queue's figures could not be read: %1").arg(reason));
    m_queue->setToolTip(m_queue->text());
}

QString AnnotateQueueBar::queueText() const
{
    return m_queue->text();
}

QString AnnotateQueueBar::todayText() const
{
    return m_today->text();
}

} // namespace digitdesk::ui
