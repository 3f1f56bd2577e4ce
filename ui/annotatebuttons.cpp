#include "ui/annotatebuttons.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

// Digits are wide targets for a mouse; wider only makes the eye travel further.
constexpr int DigitMaximumWidth = 72;

QString keyText(QKeyCombination key)
{
    switch (key.key()) {
    case Qt::Key_Left:
        return QStringLiteral("←");
    case Qt::Key_Right:
        return QStringLiteral("→");
    default:
        return QKeySequence(key).toString(QKeySequence::NativeText);
    }
}

QString toggleTitle(AnnotateCommand::Kind toggle)
{
    return toggle == AnnotateCommand::ToggleScan ? QObject::tr("Scan") : QObject::tr("Contrast");
}

} // namespace

AnnotateButtonBar::AnnotateButtonBar(QWidget *parent) : QWidget(parent)
{
    // The digits as wide targets; then the other answers and decisions; then what moves about
    // and what shows. Three short rows fit beside the navigation in an 800-pixel window.
    auto *digits = new QHBoxLayout;
    auto *decisions = new QHBoxLayout;
    auto *tools = new QHBoxLayout;
    for (auto *row : {digits, decisions, tools}) {
        row->setSpacing(4);
        row->addStretch(1);
    }
    for (int digit = 0; digit <= 9; ++digit) {
        addKeyButton(digits, QStringLiteral("digitButton%1").arg(digit), {}, KeyMap::NB_ACTIONS,
                     static_cast<Qt::Key>(Qt::Key_0 + digit));
    }
    addKeyButton(decisions, QStringLiteral("notADigitButton"), tr("Not a digit"),
                 KeyMap::NotADigit);
    addKeyButton(decisions, QStringLiteral("acceptButton"), tr("Accept"), KeyMap::Accept);
    addKeyButton(decisions, QStringLiteral("skipButton"), tr("Skip"), KeyMap::Skip);
    addKeyButton(decisions, QStringLiteral("undoButton"), tr("Undo"), KeyMap::Undo);
    addKeyButton(tools, QStringLiteral("lookBackButton"), tr("Look back"), KeyMap::NB_ACTIONS,
                 Qt::Key_Left);
    addKeyButton(tools, QStringLiteral("gridButton"), tr("Grid"), KeyMap::Grid);
    m_scan = addToggle(tools, QStringLiteral("scanButton"), AnnotateCommand::ToggleScan);
    m_contrast =
        addToggle(tools, QStringLiteral("contrastButton"), AnnotateCommand::ToggleContrast);
    addKeyButton(tools, QStringLiteral("keysButton"), tr("Keys"), KeyMap::Help);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    for (auto *row : {digits, decisions, tools}) {
        row->addStretch(1);
        layout->addLayout(row);
    }
    setKeyMap(m_keys);
}

QPushButton *AnnotateButtonBar::addButton(QHBoxLayout *row, const QString &objectName)
{
    auto *button = new QPushButton(this);
    button->setObjectName(objectName);
    // The keys stay the view's: a focused button would take Space and Enter for itself.
    button->setFocusPolicy(Qt::NoFocus);
    button->setAutoDefault(false);
    // As wide as their text where there is room; a narrow window squeezes them, never grows.
    button->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    button->setMinimumWidth(1);
    row->addWidget(button);
    return button;
}

void AnnotateButtonBar::addKeyButton(QHBoxLayout *row, const QString &objectName,
                                     const QString &title, KeyMap::Action action, Qt::Key fixedKey)
{
    QPushButton *button = addButton(row, objectName);
    if (title.isEmpty()) {
        button->setMaximumWidth(DigitMaximumWidth);
        row->setStretchFactor(button, 1);
    }
    const size_t index = m_keyButtons.size();
    m_keyButtons.push_back({button, action, title, QKeyCombination(fixedKey)});
    connect(button, &QPushButton::clicked, this,
            [this, index] { Q_EMIT keyClicked(m_keyButtons[index].key); });
}

QPushButton *AnnotateButtonBar::addToggle(QHBoxLayout *row, const QString &objectName,
                                          AnnotateCommand::Kind toggle)
{
    QPushButton *button = addButton(row, objectName);
    button->setCheckable(true);
    // The view says whether it is on (setScanShown, setContrastStretched), not the click.
    connect(button, &QPushButton::clicked, this, [this, button, toggle] {
        button->setChecked(!button->isChecked());
        Q_EMIT toggleClicked(toggle);
    });
    return button;
}

void AnnotateButtonBar::setKeyMap(const KeyMap &keys)
{
    m_keys = keys;
    for (ActionButton &entry : m_keyButtons) {
        if (entry.action == KeyMap::NB_ACTIONS) {
            const QString key = keyText(entry.key);
            entry.button->setText(entry.title.isEmpty() ? key : tr("%1  %2").arg(entry.title, key));
            continue;
        }
        const QKeySequence own = keys.key(entry.action);
        const QKeySequence fixed = KeyMap::fixedKey(entry.action);
        QStringList shown;
        if (!own.isEmpty()) {
            shown << keyText(own[0]);
        }
        // Enter is how most accept; Backspace and F1 stay in the tooltip and the help.
        if (!fixed.isEmpty() &&
            (own.isEmpty() || (entry.action == KeyMap::Accept && own[0] != fixed[0]))) {
            shown << keyText(fixed[0]);
        }
        entry.key = !own.isEmpty() ? own[0] : !fixed.isEmpty() ? fixed[0] : QKeyCombination();
        entry.button->setEnabled(!shown.isEmpty());
        entry.button->setText(tr("%1  %2").arg(
            entry.title, shown.isEmpty() ? tr("(no key)") : shown.join(QStringLiteral(" / "))));
        entry.button->setToolTip(
            shown.isEmpty()
                ? tr("Give it a key in File > Keys…")
                : tr("%1: %2").arg(KeyMap::description(entry.action), keys.keysText(entry.action)));
    }
    for (const auto toggle : {AnnotateCommand::ToggleScan, AnnotateCommand::ToggleContrast}) {
        QPushButton *button = toggle == AnnotateCommand::ToggleScan ? m_scan : m_contrast;
        button->setText(tr("%1  %2").arg(toggleTitle(toggle), toggleKeyText(keys, toggle)));
    }
}

void AnnotateButtonBar::setScanShown(bool on)
{
    m_scan->setChecked(on);
}

void AnnotateButtonBar::setContrastStretched(bool on)
{
    m_contrast->setChecked(on);
}

} // namespace digitdesk::ui
