#pragma once

#include "storage/label.h"
#include "ui/keymap.h"

#include <QKeyCombination>
#include <QString>

namespace digitdesk::ui {

// What the annotate view shows: one image at a time, a page of tiles, or the annotator's own
// labels looked back at.
enum class AnnotateMode
{
    Single,
    Grid,
    History,
};

// What a key asks of the annotate view. Whether it can be done now (a decision being saved,
// keys typed ahead, the newest label reached) is the view's to judge.
struct AnnotateCommand final
{
    enum Kind
    {
        None,
        Decide,     // label the image; in grid mode the focused tile, looking back the label shown
        Accept,     // the model's answer; in grid mode the whole page
        Skip,       // it comes back later
        Undo,       // the annotator's last label
        Help,       // show or hide the keys
        Grid,       // grid mode on or off
        LookBack,   // start looking back through one's labels
        Move,       // grid mode: the focus moves by `arrow`
        Older,      // looking back
        Newer,      // looking back; past the newest it ends
        Leave,      // stop looking back
        ToggleScan, // the original scan beside the digit, or not
        ToggleContrast, // the grey levels stretched, or as scanned
    };

    Kind kind = None;
    storage::MaybeLabel label;       // with Decide
    Qt::Key arrow = Qt::Key_unknown; // with Move

    // A decision on the image on screen: typed while the last one is saved, it waits its turn.
    bool isDecision() const
    {
        return kind == Decide || kind == Accept || kind == Skip || kind == Undo;
    }

    friend bool operator==(const AnnotateCommand &, const AnnotateCommand &) = default;
};

// The view's own keys for its toggles; a key the annotator's map uses does what the map says.
inline constexpr Qt::Key ScanToggleKey = Qt::Key_O;
inline constexpr Qt::Key ContrastToggleKey = Qt::Key_C;
// The toggle's key unless the map has given it to an action; Qt::Key_unknown then.
Qt::Key toggleKey(const KeyMap &keys, AnnotateCommand::Kind toggle);
// The toggle's key as shown: "O", or "(no key)".
QString toggleKeyText(const KeyMap &keys, AnnotateCommand::Kind toggle);

// The command `key` gives in `mode` with the annotator's key map. The digits, the arrows and
// Esc are the view's whatever the map says (KeyMap explains which).
AnnotateCommand annotateCommand(const KeyMap &keys, QKeyCombination key, AnnotateMode mode);

// The keys as the help panel lists them, with the annotator's own keys.
QString annotateHelpText(const KeyMap &keys);

} // namespace digitdesk::ui
