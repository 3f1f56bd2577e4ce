#pragma once

#include <QLabel>

namespace digitdesk::ui {

// A word-wrapped label for text people typed (names, comments, messages): shown as typed,
// never as markup.
inline QLabel *plainLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

} // namespace digitdesk::ui
