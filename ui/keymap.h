#pragma once

#include <QKeySequence>
#include <QString>

#include <array>

class QKeyEvent;

namespace digitdesk::ui {

// The annotate view's keys that a person may remap (File > Keys…) (the digits stay 0-9). Stored per
// user and machine in QSettings under keys/<name>; each action keeps a second, fixed default key
// too (Enter for accept, Backspace for undo, F1 for help) so nobody remaps themselves out.
class KeyMap final
{
public:
    enum Action
    {
        Accept,
        NotADigit,
        Skip,
        Undo,
        Help,
        Grid,
        NB_ACTIONS
    };

    static KeyMap load();
    void save() const;

    static QString name(Action action);        // "accept", ...
    static QString description(Action action); // for the settings dialog and the help
    static QKeySequence defaultKey(Action action);

    QKeySequence key(Action action) const { return m_keys[action]; }
    void setKey(Action action, const QKeySequence &key) { m_keys[action] = key; }
    bool matches(Action action, const QKeyEvent *event) const;

private:
    std::array<QKeySequence, NB_ACTIONS> m_keys;
};

} // namespace digitdesk::ui
