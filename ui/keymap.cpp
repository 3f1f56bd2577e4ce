#include "ui/keymap.h"

#include <QKeyEvent>
#include <QSettings>

namespace digitdesk::ui {

QString KeyMap::name(Action action)
{
    static const char *names[] = {"accept", "not_a_digit", "skip", "undo", "help", "grid"};
    return QString::fromLatin1(names[action]);
}

QString KeyMap::description(Action action)
{
    switch (action) {
    case Accept:
        return QObject::tr("Accept the model's answer");
    case NotADigit:
        return QObject::tr("Not a digit / unreadable");
    case Skip:
        return QObject::tr("Skip");
    case Undo:
        return QObject::tr("Undo the last label");
    case Help:
        return QObject::tr("Show the keys");
    case Grid:
        return QObject::tr("Grid mode on or off");
    case NB_ACTIONS:
        break;
    }
    return {};
}

QKeySequence KeyMap::defaultKey(Action action)
{
    switch (action) {
    case Accept:
        return QKeySequence(Qt::Key_A);
    case NotADigit:
        return QKeySequence(Qt::Key_X);
    case Skip:
        return QKeySequence(Qt::Key_Space);
    case Undo:
        return QKeySequence(Qt::CTRL | Qt::Key_Z);
    case Help:
        return QKeySequence(Qt::Key_Question);
    case Grid:
        return QKeySequence(Qt::Key_G);
    case NB_ACTIONS:
        break;
    }
    return {};
}

KeyMap KeyMap::load()
{
    KeyMap map;
    const QSettings settings;
    for (int a = 0; a < NB_ACTIONS; ++a) {
        const auto action = static_cast<Action>(a);
        const QString stored = settings.value(QStringLiteral("keys/") + name(action)).toString();
        map.m_keys[a] = stored.isEmpty() ? defaultKey(action)
                                         : QKeySequence(stored, QKeySequence::PortableText);
    }
    return map;
}

void KeyMap::save() const
{
    QSettings settings;
    for (int a = 0; a < NB_ACTIONS; ++a) {
        settings.setValue(QStringLiteral("keys/") + name(static_cast<Action>(a)),
                          m_keys[a].toString(QKeySequence::PortableText));
    }
}

bool KeyMap::matches(Action action, const QKeyEvent *event) const
{
    const QKeySequence pressed(event->keyCombination());
    // "?" arrives as Shift+? on most layouts: a printable key matches without its Shift.
    const QKeySequence unshifted(
        QKeyCombination(event->modifiers() & ~Qt::ShiftModifier, Qt::Key(event->key())));
    if (pressed.matches(m_keys[action]) == QKeySequence::ExactMatch ||
        (event->key() < Qt::Key_Escape &&
         unshifted.matches(m_keys[action]) == QKeySequence::ExactMatch)) {
        return true;
    }
    // Fixed second keys that always work.
    switch (action) {
    case Accept:
        return event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    case Undo:
        return event->key() == Qt::Key_Backspace;
    case Help:
        return event->key() == Qt::Key_F1;
    default:
        return false;
    }
}

} // namespace digitdesk::ui
