#pragma once

#include "ui/keymap.h"

#include <QDialog>

#include <vector>

class QKeySequenceEdit;
class QLabel;
class QPushButton;

namespace digitdesk::ui {

// File > Keys…: remap the annotate view's keys; saved for this user on this machine. A key
// that is taken (by another action, or one the view always keeps) is named in the dialog, and
// Save stays off until it is resolved. The keys no action may take keep their dialog meaning
// inside the key fields, so the dialog works from the keyboard: Tab moves on, Enter saves,
// Esc cancels.
class KeySettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeySettingsDialog)

public:
    explicit KeySettingsDialog(QWidget *parent = nullptr);
    ~KeySettingsDialog() override;
    KeyMap keyMap() const;
    // What keeps Save off; empty when the keys can be saved.
    QString conflict() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void handleKeyChanged(KeyMap::Action changed);
    void handleSave();

    std::vector<QKeySequenceEdit *> m_edits;
    QLabel *m_conflict;
    QPushButton *m_save;
};

} // namespace digitdesk::ui
