#pragma once

#include "ui/keymap.h"

#include <QDialog>

#include <vector>

class QKeySequenceEdit;

namespace digitdesk::ui {

// File > Keys…: remap the annotate view's keys; saved for this user on this machine.
class KeySettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeySettingsDialog)

public:
    explicit KeySettingsDialog(QWidget *parent = nullptr);
    KeyMap keyMap() const;

private:
    std::vector<QKeySequenceEdit *> m_edits;
};

} // namespace digitdesk::ui
