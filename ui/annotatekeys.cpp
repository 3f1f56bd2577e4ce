#include "ui/annotatekeys.h"

#include <QKeyEvent>

namespace digitdesk::ui {
namespace {

AnnotateCommand command(AnnotateCommand::Kind kind)
{
    return {kind, std::nullopt, Qt::Key_unknown};
}

AnnotateCommand decide(storage::Label label)
{
    return {AnnotateCommand::Decide, label, Qt::Key_unknown};
}

bool isDigit(QKeyCombination key)
{
    return key.key() >= Qt::Key_0 && key.key() <= Qt::Key_9;
}

storage::Label digitOf(QKeyCombination key)
{
    return storage::Label::fromDigit(key.key() - Qt::Key_0);
}

// Looking back: a digit or "not a digit" changes the label shown, with any modifier.
AnnotateCommand historyCommand(const KeyMap &keys, QKeyCombination key, const QKeyEvent &event)
{
    switch (key.key()) {
    case Qt::Key_Escape:
        return command(AnnotateCommand::Leave);
    case Qt::Key_Right:
        return command(AnnotateCommand::Newer);
    case Qt::Key_Left:
        return command(AnnotateCommand::Older);
    default:
        break;
    }
    if (isDigit(key)) {
        return decide(digitOf(key));
    }
    if (keys.matches(KeyMap::NotADigit, &event)) {
        return decide(storage::Label::notADigit());
    }
    return {};
}

AnnotateCommand gridCommand(const KeyMap &keys, QKeyCombination key, const QKeyEvent &event)
{
    switch (key.key()) {
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down:
        return {AnnotateCommand::Move, std::nullopt, key.key()};
    default:
        break;
    }
    if (isDigit(key)) {
        return decide(digitOf(key));
    }
    if (keys.matches(KeyMap::NotADigit, &event)) {
        return decide(storage::Label::notADigit());
    }
    if (keys.matches(KeyMap::Accept, &event)) {
        return command(AnnotateCommand::Accept);
    }
    return {};
}

AnnotateCommand singleCommand(const KeyMap &keys, QKeyCombination key, const QKeyEvent &event)
{
    if (isDigit(key) && !(key.keyboardModifiers() & Qt::ControlModifier)) {
        return decide(digitOf(key));
    }
    if (keys.matches(KeyMap::Accept, &event)) {
        return command(AnnotateCommand::Accept);
    }
    if (keys.matches(KeyMap::NotADigit, &event)) {
        return decide(storage::Label::notADigit());
    }
    if (keys.matches(KeyMap::Skip, &event)) {
        return command(AnnotateCommand::Skip);
    }
    if (keys.matches(KeyMap::Undo, &event)) {
        return command(AnnotateCommand::Undo);
    }
    return {};
}

// The toggles, in every mode, unless the map gave their key to one of its actions.
AnnotateCommand toggleCommand(const KeyMap &keys, QKeyCombination key)
{
    if (key.keyboardModifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier)) {
        return {};
    }
    for (const auto toggle : {AnnotateCommand::ToggleScan, AnnotateCommand::ToggleContrast}) {
        if (key.key() == toggleKey(keys, toggle)) {
            return command(toggle);
        }
    }
    return {};
}

} // namespace

QString toggleKeyText(const KeyMap &keys, AnnotateCommand::Kind toggle)
{
    const Qt::Key key = toggleKey(keys, toggle);
    return key == Qt::Key_unknown ? QObject::tr("(no key)")
                                  : QKeySequence(key).toString(QKeySequence::NativeText);
}

Qt::Key toggleKey(const KeyMap &keys, AnnotateCommand::Kind toggle)
{
    const Qt::Key key = toggle == AnnotateCommand::ToggleScan ? ScanToggleKey : ContrastToggleKey;
    const QKeyEvent event(QEvent::KeyPress, key, Qt::NoModifier);
    for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
        if (keys.matches(static_cast<KeyMap::Action>(a), &event)) {
            return Qt::Key_unknown;
        }
    }
    return key;
}

AnnotateCommand annotateCommand(const KeyMap &keys, QKeyCombination key, AnnotateMode mode)
{
    const QKeyEvent event(QEvent::KeyPress, key.key(), key.keyboardModifiers());
    if (mode == AnnotateMode::History) {
        // Neither help nor grid mode while looking back: Esc comes back first.
        const AnnotateCommand looking = historyCommand(keys, key, event);
        return looking.kind != AnnotateCommand::None ? looking : toggleCommand(keys, key);
    }
    if (keys.matches(KeyMap::Help, &event)) {
        return command(AnnotateCommand::Help);
    }
    if (mode == AnnotateMode::Single && key.key() == Qt::Key_Left) {
        return command(AnnotateCommand::LookBack);
    }
    if (keys.matches(KeyMap::Grid, &event)) {
        return command(AnnotateCommand::Grid);
    }
    const AnnotateCommand mapped = mode == AnnotateMode::Grid ? gridCommand(keys, key, event)
                                                              : singleCommand(keys, key, event);
    return mapped.kind != AnnotateCommand::None ? mapped : toggleCommand(keys, key);
}

QString annotateHelpText(const KeyMap &keys)
{
    const auto key = [&](KeyMap::Action action) {
        return keys.key(action).toString(QKeySequence::NativeText).toHtmlEscaped();
    };
    const auto keysOf = [&](KeyMap::Action action) {
        return keys.keysText(action).toHtmlEscaped();
    };
    return QObject::
        tr("<b>Keys</b> (File &gt; Keys… changes them)<br>"
           "0 - 9 &nbsp; label and go on<br>"
           "%1 &nbsp; accept the model's answer<br>"
           "%2 &nbsp; not a digit / unreadable<br>"
           "%3 &nbsp; skip (it comes back later)<br>"
           "%4 &nbsp; undo your last label<br>"
           "Left / Right &nbsp; look back through your last 50 labels; a digit or %2 changes one"
           " (until it is reviewed); Esc comes back<br>"
           "%5 &nbsp; grid mode: a page of confident answers; arrows move, a digit or %2 corrects,"
           " %1 accepts the page<br>"
           "%6 &nbsp; show or hide these keys<br>"
           "%7 &nbsp; the original scan beside the digit, or not<br>"
           "%8 &nbsp; stretch the grey levels of faint scans, or not<br>"
           "Keys typed ahead wait their turn: type what the Next strip shows.")
            .arg(keysOf(KeyMap::Accept), key(KeyMap::NotADigit), key(KeyMap::Skip),
                 keysOf(KeyMap::Undo), key(KeyMap::Grid), keysOf(KeyMap::Help),
                 toggleKeyText(keys, AnnotateCommand::ToggleScan),
                 toggleKeyText(keys, AnnotateCommand::ToggleContrast));
}

} // namespace digitdesk::ui
