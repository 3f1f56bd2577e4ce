#include "ui/annotatehistory.h"

#include <algorithm>

namespace digitdesk::ui {

bool AnnotateHistory::open(const QList<annotation::HistoryEntry> &entries)
{
    m_entries = entries;
    if (m_entries.isEmpty()) {
        return false;
    }
    m_active = true;
    int index = 0;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].decision.imageId == m_focusImage) {
            index = static_cast<int>(i);
        }
    }
    moveTo(index);
    return true;
}

void AnnotateHistory::close()
{
    m_active = false;
    m_focusImage = 0;
}

qint64 AnnotateHistory::imageId() const
{
    return m_active && m_index < m_entries.size() ? m_entries[m_index].decision.imageId : 0;
}

void AnnotateHistory::older()
{
    moveTo(m_index + 1);
}

void AnnotateHistory::newer()
{
    moveTo(m_index - 1);
}

void AnnotateHistory::moveTo(int index)
{
    m_index = std::clamp(index, 0, static_cast<int>(m_entries.size()) - 1);
    m_focusImage = m_entries[m_index].decision.imageId;
}

void AnnotateHistory::replace(qint64 oldLabelId, const annotation::LabelDecision &decision)
{
    for (annotation::HistoryEntry &entry : m_entries) {
        if (entry.decision.labelId == oldLabelId) {
            entry.decision.labelId = decision.labelId;
            entry.decision.label = decision.label;
        }
    }
}

} // namespace digitdesk::ui
