#include "ui/keymap.h"

#include <QKeyEvent>
#include <QSettings>

namespace digitdesk::ui {
namespace {

// The combination as keyPressEvent tells keys apart: the first of the sequence, keypad
// ignored, and Shift ignored on printable keys (matches() takes "?" with or without it).
QKeyCombination normalised(const QKeySequence &key)
{
    if (key.isEmpty()) {
        return {};
    }
    const QKeyCombination combination = key[0];
    Qt::KeyboardModifiers modifiers = combination.keyboardModifiers() & ~Qt::KeypadModifier;
    if (combination.key() < Qt::Key_Escape) {
        modifiers &= ~Qt::ShiftModifier;
    }
    return QKeyCombination(modifiers, combination.key());
}

// What the annotate view does with the key whatever the map says; empty when nothing.
QString reservedUse(QKeyCombination combination)
{
    const Qt::Key key = combination.key();
    // With any modifier: grid mode and looking back take Ctrl+5 as 5 too.
    if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        return QObject::tr("Label %1").arg(key - Qt::Key_0);
    }
    switch (key) {
    case Qt::Key_Left:
    case Qt::Key_Right:
        return QObject::tr("Look back through your labels");
    case Qt::Key_Up:
    case Qt::Key_Down:
        return QObject::tr("Move in the grid");
    case Qt::Key_Escape:
        return QObject::tr("Stop looking back");
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return KeyMap::title(KeyMap::Accept);
    case Qt::Key_Backspace:
        return KeyMap::title(KeyMap::Undo);
    case Qt::Key_F1:
        return KeyMap::title(KeyMap::Help);
    default:
        return {};
    }
}

QString keyText(const QKeySequence &key)
{
    return QKeySequence(key[0]).toString(QKeySequence::NativeText);
}

} // namespace

QString KeyMap::name(Action action)
{
    static const char *names[] = {"accept", "not_a_digit", "skip", "undo", "help", "grid"};
    return QString::fromLatin1(names[action]);
}

QString KeyMap::title(Action action)
{
    switch (action) {
    case Accept:
        return QObject::tr("Accept");
    case NotADigit:
        return QObject::tr("Not a digit");
    case Skip:
        return QObject::tr("Skip");
    case Undo:
        return QObject::tr("Undo");
    case Help:
        return QObject::tr("Show the keys");
    case Grid:
        return QObject::tr("Grid mode");
    case NB_ACTIONS:
        break;
    }
    return {};
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

QKeySequence KeyMap::fixedKey(Action action)
{
    switch (action) {
    case Accept:
        return QKeySequence(Qt::Key_Enter);
    case Undo:
        return QKeySequence(Qt::Key_Backspace);
    case Help:
        return QKeySequence(Qt::Key_F1);
    default:
        return {};
    }
}

KeyMap KeyMap::load()
{
    KeyMap map;
    const QSettings settings;
    for (int a = 0; a < NB_ACTIONS; ++a) {
        const auto action = static_cast<Action>(a);
        const QString stored = settings.value(QStringLiteral("keys/") + name(action)).toString();
        const QKeySequence wanted = stored.isEmpty()
                                        ? defaultKey(action)
                                        : QKeySequence(stored, QKeySequence::PortableText);
        if (map.conflict(action, wanted).isEmpty()) {
            map.m_keys[a] = wanted;
        } else if (map.conflict(action, defaultKey(action)).isEmpty()) {
            map.m_keys[a] = defaultKey(action);
        }
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

QString KeyMap::keysText(Action action) const
{
    const QKeySequence fixed = fixedKey(action);
    const QKeySequence own = m_keys[action];
    // Undo on Backspace is Backspace once, not "Backspace or Backspace".
    const bool ownIsFixed =
        !fixed.isEmpty() && reservedUse(normalised(own)) == reservedUse(normalised(fixed));
    if (own.isEmpty() || ownIsFixed) {
        return fixed.toString(QKeySequence::NativeText);
    }
    if (fixed.isEmpty()) {
        return keyText(own);
    }
    return QObject::tr("%1 or %2").arg(keyText(own), fixed.toString(QKeySequence::NativeText));
}

QString KeyMap::conflict(Action action, const QKeySequence &key) const
{
    if (key.isEmpty()) {
        return {};
    }
    const QKeyCombination wanted = normalised(key);
    QString taken = reservedUse(wanted);
    for (int a = 0; a < NB_ACTIONS && taken.isEmpty(); ++a) {
        if (a != action && !m_keys[a].isEmpty() && normalised(m_keys[a]) == wanted) {
            taken = title(static_cast<Action>(a));
        }
    }
    return taken.isEmpty() ? QString() : QObject::tr("%1 is already '%2'").arg(keyText(key), taken);
}

QString KeyMap::firstConflict() const
{
    for (int a = 0; a < NB_ACTIONS; ++a) {
        QString message = conflict(static_cast<Action>(a), m_keys[a]);
        if (!message.isEmpty()) {
            return message;
        }
    }
    return {};
}

} // namespace digitdesk::ui
