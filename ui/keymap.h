#pragma once

#include <QKeySequence>
#include <QString>

#include <array>

class QKeyEvent;

namespace digitdesk::ui {

// The annotate view's keys that a person may remap (File > Keys…) (the digits stay 0-9). Stored per
// user and machine in QSettings under keys/<name>; each action keeps a second, fixed default key
// too (Enter for accept, Backspace for undo, F1 for help) so nobody remaps themselves out.
//
// Some keys the annotate view keeps whatever the map says (AnnotateView::keyPressEvent): 0-9
// label, Left/Right/Up/Down move (look back, grid), Esc leaves looking back, and the fixed
// second keys. A key bound to one of those, or to two actions, would leave an action out of
// reach: conflict() says so, and load() never hands one out.
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

    // The map stored for this user, or the defaults; a stored key that conflicts with those
    // before it falls back to its default (or to none, when that conflicts too).
    static KeyMap load();
    void save() const;

    static QString name(Action action);        // "accept", ...
    static QString title(Action action);       // "Not a digit", for conflict messages
    static QString description(Action action); // for the settings dialog and the help
    static QKeySequence defaultKey(Action action);
    // The key that always does the action too: Enter, Backspace, F1; empty for the others.
    static QKeySequence fixedKey(Action action);

    QKeySequence key(Action action) const { return m_keys[action]; }
    void setKey(Action action, const QKeySequence &key) { m_keys[action] = key; }
    bool matches(Action action, const QKeyEvent *event) const;

    // Every key that does the action, for the help: "Ctrl+Z or Backspace", each key once.
    QString keysText(Action action) const;
    // Why `key` cannot do `action` with the other actions' keys as they are, naming what it
    // does already ("X is already 'Not a digit'"); empty when it can (or is empty).
    QString conflict(Action action, const QKeySequence &key) const;
    // The first conflict among the map's own keys, empty when there is none.
    QString firstConflict() const;

private:
    std::array<QKeySequence, NB_ACTIONS> m_keys;
};

} // namespace digitdesk::ui
