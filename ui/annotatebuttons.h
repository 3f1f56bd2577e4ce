#pragma once

#include "ui/annotatekeys.h"
#include "ui/keymap.h"

#include <QKeyCombination>
#include <QWidget>

#include <vector>

class QHBoxLayout;
class QPushButton;

namespace digitdesk::ui {

// The annotate view's keys as buttons under the image, each with its key on it ("Skip  Space"),
// for a mouse as much as for learning the keys. A button never takes the keyboard focus, so
// Space and Enter stay the view's keys. Clicking a key's button sends that key, which the view
// runs through the same code as the key itself; the toggles, whose keys the annotator's map may
// have taken, send their command.
class AnnotateButtonBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnnotateButtonBar)

public:
    explicit AnnotateButtonBar(QWidget *parent = nullptr);

    // Writes the annotator's keys on the buttons.
    void setKeyMap(const KeyMap &keys);
    void setScanShown(bool on);
    void setContrastStretched(bool on);

Q_SIGNALS:
    void keyClicked(QKeyCombination key);
    void toggleClicked(digitdesk::ui::AnnotateCommand::Kind toggle);

private:
    struct ActionButton
    {
        QPushButton *button = nullptr;
        KeyMap::Action action = KeyMap::NB_ACTIONS; // NB_ACTIONS: a key of the view's own
        QString title;
        QKeyCombination key;
    };

    QPushButton *addButton(QHBoxLayout *row, const QString &objectName);
    void addKeyButton(QHBoxLayout *row, const QString &objectName, const QString &title,
                      KeyMap::Action action, Qt::Key fixedKey = Qt::Key_unknown);
    QPushButton *addToggle(QHBoxLayout *row, const QString &objectName,
                           AnnotateCommand::Kind toggle);

    std::vector<ActionButton> m_keyButtons;
    KeyMap m_keys;
    QPushButton *m_scan = nullptr;
    QPushButton *m_contrast = nullptr;
};

} // namespace digitdesk::ui
