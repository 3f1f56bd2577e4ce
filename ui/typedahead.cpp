#include "ui/typedahead.h"

#include <utility>

namespace digitdesk::ui {

void TypedAhead::keep(const AnnotateCommand &command, bool awaitingNext, const QList<qint64> &strip)
{
    const auto place = static_cast<qsizetype>(m_keys.size());
    if (awaitingNext && place < strip.size()) {
        m_keys.push_back({command, strip[place]});
    } else {
        ++m_refused;
    }
}

std::optional<AnnotateCommand> TypedAhead::takeFor(qint64 imageId)
{
    if (m_keys.empty() || m_keys.front().imageId != imageId) {
        return std::nullopt;
    }
    const AnnotateCommand command = m_keys.front().command;
    m_keys.pop_front();
    return command;
}

int TypedAhead::takeRefused()
{
    return std::exchange(m_refused, 0);
}

} // namespace digitdesk::ui
