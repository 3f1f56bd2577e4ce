#include "ui/annotatesessionfigures.h"

#include <QObject>

#include <algorithm>

namespace digitdesk::ui {

void AnnotateSessionFigures::labelSaved(storage::Label label, storage::MaybeLabel goldLabel)
{
    ++m_saved;
    if (goldLabel) {
        ++m_goldAnswered;
        m_goldRight += *goldLabel == label ? 1 : 0;
    }
}

void AnnotateSessionFigures::labelUndone()
{
    m_saved = std::max(0, m_saved - 1);
}

QString AnnotateSessionFigures::text() const
{
    const double hours = static_cast<double>(m_session.elapsed()) / 3.6e6;
    const QString gold = m_goldAnswered > 0
                             ? QObject::tr(", gold items %1 of %2 right (%3%)")
                                   .arg(m_goldRight)
                                   .arg(m_goldAnswered)
                                   .arg(100.0 * m_goldRight / m_goldAnswered, 0, 'f', 0)
                             : QObject::tr(", no gold item yet");
    return QObject::tr("This session: %1 labelled, %2 per hour%3")
        .arg(m_saved)
        .arg(hours > 0.001 ? static_cast<double>(m_saved) / hours : 0.0, 0, 'f', 0)
        .arg(gold);
}

} // namespace digitdesk::ui
