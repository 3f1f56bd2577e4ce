#include "ui/keysettingsdialog.h"

#include "ui/appearance.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QPushButton>

namespace digitdesk::ui {

KeySettingsDialog::KeySettingsDialog(QWidget *parent)
    : QDialog(parent), m_conflict(new QLabel(this))
{
    setWindowTitle(tr("Keys"));
    const KeyMap current = KeyMap::load();
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("0-9, the arrows, Esc, Enter, Backspace and F1 always keep their"
                               " meaning."),
                            this));
    for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
        const auto action = static_cast<KeyMap::Action>(a);
        auto *edit = new QKeySequenceEdit(current.key(action), this);
        edit->setObjectName(KeyMap::name(action));
        edit->installEventFilter(this);
        m_edits.push_back(edit);
        form->addRow(KeyMap::description(action), edit);
        connect(edit, &QKeySequenceEdit::keySequenceChanged, this,
                [this, action] { handleKeyChanged(action); });
    }
    m_conflict->setObjectName(QStringLiteral("conflict"));
    m_conflict->setTextFormat(Qt::PlainText);
    m_conflict->setWordWrap(true);
    m_conflict->setStyleSheet(toneStyle(Tone::Error, true));
    m_conflict->hide();
    form->addRow(m_conflict);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel |
                                             QDialogButtonBox::RestoreDefaults,
                                         this);
    m_save = buttons->button(QDialogButtonBox::Save);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &KeySettingsDialog::handleSave);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                for (int a = 0; a < KeyMap::NB_ACTIONS; ++a) {
                    m_edits[static_cast<size_t>(a)]->setKeySequence(
                        KeyMap::defaultKey(static_cast<KeyMap::Action>(a)));
                }
            });
}

KeySettingsDialog::~KeySettingsDialog()
{
    // Closing moves the focus out of an edit, which reports its key again: not to us any more.
    for (QKeySequenceEdit *edit : m_edits) {
        disconnect(edit, nullptr, this, nullptr);
    }
}

void KeySettingsDialog::handleSave()
{
    if (!conflict().isEmpty()) {
        return;
    }
    keyMap().save();
    accept();
}

bool KeySettingsDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress) {
        return QDialog::eventFilter(watched, event);
    }
    switch (static_cast<QKeyEvent *>(event)->key()) {
    case Qt::Key_Escape:
        reject();
        return true;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        handleSave();
        return true;
    case Qt::Key_Tab:
        focusNextChild();
        return true;
    case Qt::Key_Backtab:
        focusPreviousChild();
        return true;
    default:
        return QDialog::eventFilter(watched, event);
    }
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

QString KeySettingsDialog::conflict() const
{
    return keyMap().firstConflict();
}

void KeySettingsDialog::handleKeyChanged(KeyMap::Action changed)
{
    const KeyMap map = keyMap();
    // The key just pressed is the one to name; another conflict may still be left elsewhere.
    QString message = map.conflict(changed, map.key(changed));
    if (message.isEmpty()) {
        message = map.firstConflict();
    }
    m_conflict->setText(message);
    m_conflict->setVisible(!message.isEmpty());
    m_save->setEnabled(message.isEmpty());
}

} // namespace digitdesk::ui
