#pragma once

#include "ui/annotatekeys.h"

#include <QList>

#include <deque>
#include <optional>

namespace digitdesk::ui {

// Decisions typed while the last one is being saved. Each is kept for the image the Next strip
// showed at its place when it was typed, so an annotator who types ahead what the strip shows
// labels exactly those images. Past the strip's end there is no image the person has seen: the
// key is refused, and counted so the view can say so once.
class TypedAhead final
{
public:
    // Keeps `command` for the strip's image at the next free place. Refuses it when no next
    // image is on its way or the strip shows none at that place.
    void keep(const AnnotateCommand &command, bool awaitingNext, const QList<qint64> &strip);
    bool isEmpty() const { return m_keys.empty(); }
    int size() const { return static_cast<int>(m_keys.size()); }
    void clear() { m_keys.clear(); }
    // The oldest command when it was typed for `imageId`, the image now on screen; nothing when
    // there is none, or when it was meant for another image (then none of them lines up).
    std::optional<AnnotateCommand> takeFor(qint64 imageId);
    // Keys refused since this was last asked.
    int takeRefused();
    int refused() const { return m_refused; }

private:
    struct TypedKey
    {
        AnnotateCommand command;
        qint64 imageId = 0;
    };

    std::deque<TypedKey> m_keys;
    int m_refused = 0;
};

} // namespace digitdesk::ui
