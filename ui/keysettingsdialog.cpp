#include "ui/keysettingsdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QKeySequenceEdit>
#include <QPushButton>

namespace digitdesk::ui {

KeySettingsDialog::KeySettingsDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Keys"));
    const KeyMap current = KeyMap::load();
    auto *form = new QFormLayout(this);
    for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
        const auto action = static_cast<KeyMap::Action>(a);
        auto *edit = new QKeySequenceEdit(current.key(action), this);
        edit->setObjectName(KeyMap::name(action));
        m_edits.push_back(edit);
        form->addRow(KeyMap::description(action), edit);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel |
                                             QDialogButtonBox::RestoreDefaults,
                                         this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        keyMap().save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
                    m_edits[static_cast<size_t>(a)]->setKeySequence(
                        KeyMap::defaultKey(static_cast<KeyMap::Action>(a)));
                }
            });
}

KeyMap KeySettingsDialog::keyMap() const
{
    KeyMap map = KeyMap::load();
    for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
        const QKeySequence key = m_edits[static_cast<size_t>(a)]->keySequence();
        if (!key.isEmpty()) {
            map.setKey(static_cast<KeyMap::Action>(a), QKeySequence(key[0]));
        }
    }
    return map;
}

} // namespace digitdesk::ui
