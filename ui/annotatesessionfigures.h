#pragma once

#include "storage/label.h"

#include <QElapsedTimer>
#include <QString>

namespace digitdesk::ui {

// The annotate view's session panel: labels saved since the view opened, labels per hour, and
// how many gold items (check items with a known answer) the annotator got right.
class AnnotateSessionFigures final
{
public:
    AnnotateSessionFigures() { m_session.start(); }

    // A label was committed; `goldLabel` is the right answer when the image was a gold item.
    void labelSaved(storage::Label label, storage::MaybeLabel goldLabel);
    void pageSaved(int count) { m_saved += count; }
    void labelUndone();
    int saved() const { return m_saved; }
    // "This session: 12 labelled, 340 per hour, gold items 2 of 3 right (67%)"
    QString text() const;

private:
    QElapsedTimer m_session;
    int m_saved = 0;
    int m_goldAnswered = 0;
    int m_goldRight = 0;
};

} // namespace digitdesk::ui
