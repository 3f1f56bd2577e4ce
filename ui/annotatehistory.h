#pragma once

#include "annotation/annotationservice.h"

#include <QList>

namespace digitdesk::ui {

// Looking back through the annotator's recent labels, newest first, to change one until it is
// reviewed. Left goes to older labels, Right to newer ones; past the newest it ends.
class AnnotateHistory final
{
public:
    bool isActive() const { return m_active; }
    // Starts looking back at `entries`, at the image looked at last when it is among them;
    // false when there is nothing to look back at.
    bool open(const QList<annotation::HistoryEntry> &entries);
    // Ends looking back; the next open() starts at the newest label.
    void close();
    // The label looked at; only while active.
    const annotation::HistoryEntry &entry() const { return m_entries[m_index]; }
    // 1 for the newest.
    int position() const { return m_index + 1; }
    int size() const { return static_cast<int>(m_entries.size()); }
    bool atNewest() const { return m_index == 0; }
    // The image looked at, 0 when not looking back.
    qint64 imageId() const;
    void older();
    void newer();
    // A label changed where it stands: walking on meets the older labels, not this one again.
    void replace(qint64 oldLabelId, const annotation::LabelDecision &decision);

private:
    void moveTo(int index);

    QList<annotation::HistoryEntry> m_entries;
    int m_index = 0;
    bool m_active = false;
    qint64 m_focusImage = 0;
};

} // namespace digitdesk::ui
