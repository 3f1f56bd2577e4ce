// AnnotateView, the keys: what each command of annotatekeys.h does in the view's mode and
// state, and the decisions typed ahead while the last one is saved.
#include "ui/annotateview.h"

#include "ui/annotatebuttons.h"
#include "ui/annotateitempane.h"
#include "ui/gridpageview.h"

#include <QKeyEvent>
#include <QLabel>

namespace digitdesk::ui {

void AnnotateView::keyPressEvent(QKeyEvent *event)
{
    if (act(annotateCommand(m_keys, event->keyCombination(), mode()))) {
        event->accept();
    } else {
        QWidget::keyPressEvent(event);
    }
}

AnnotateMode AnnotateView::mode() const
{
    if (m_history.isActive()) {
        return AnnotateMode::History;
    }
    return m_gridMode ? AnnotateMode::Grid : AnnotateMode::Single;
}

bool AnnotateView::act(const AnnotateCommand &command)
{
    if (command.kind == AnnotateCommand::ToggleScan ||
        command.kind == AnnotateCommand::ToggleContrast) {
        toggle(command.kind);
        return true;
    }
    switch (mode()) {
    case AnnotateMode::History:
        return actInHistory(command);
    case AnnotateMode::Grid:
    case AnnotateMode::Single:
        break;
    }
    switch (command.kind) {
    case AnnotateCommand::Help:
        m_help->setVisible(!m_help->isVisible());
        placeHelp();
        return true;
    case AnnotateCommand::LookBack:
        if (m_busy || !m_typedAhead.isEmpty()) {
            return false;
        }
        m_busy = true;
        Q_EMIT requestHistory();
        return true;
    case AnnotateCommand::Grid:
        if (!m_typedAhead.isEmpty()) {
            return false;
        }
        setGridMode(!m_gridMode);
        return true;
    default:
        break;
    }
    if (m_gridMode) {
        return actInGrid(command);
    }
    // A decision typed while the last one is being saved waits for the strip's image at that
    // place (TypedAhead).
    if (command.isDecision() && (m_busy || !m_typedAhead.isEmpty())) {
        m_typedAhead.keep(command, m_awaitingNext, upcomingImageIds());
        return true;
    }
    return perform(command);
}

void AnnotateView::toggle(AnnotateCommand::Kind toggle)
{
    if (toggle == AnnotateCommand::ToggleScan) {
        m_scanShown = !m_scanShown;
        m_single->setScanVisible(m_scanShown);
        m_buttons->setScanShown(m_scanShown);
    } else {
        m_contrast = !m_contrast;
        m_single->setContrastStretch(m_contrast);
        m_grid->setContrastStretch(m_contrast);
        m_buttons->setContrastStretched(m_contrast);
    }
}

bool AnnotateView::actInGrid(const AnnotateCommand &command)
{
    switch (command.kind) {
    case AnnotateCommand::Move:
        return m_grid->moveFocus(command.arrow);
    case AnnotateCommand::Decide:
        m_grid->correctFocused(*command.label);
        return true;
    case AnnotateCommand::Accept: {
        if (m_busy || m_grid->isEmpty()) {
            return false;
        }
        QList<qint64> ids;
        QList<storage::Label> labels;
        for (const auto &[imageId, label] : m_grid->answers()) {
            ids << imageId;
            labels << label;
        }
        m_busy = true;
        Q_EMIT requestSavePage(ids, labels, m_onScreen.elapsed());
        return true;
    }
    default:
        return false;
    }
}

bool AnnotateView::actInHistory(const AnnotateCommand &command)
{
    switch (command.kind) {
    case AnnotateCommand::Leave:
        leaveHistory();
        return true;
    case AnnotateCommand::Newer:
        if (m_history.atNewest()) {
            leaveHistory();
            return true;
        }
        m_history.newer();
        m_single->showLookingBack(m_history);
        return true;
    case AnnotateCommand::Older:
        m_history.older();
        m_single->showLookingBack(m_history);
        return true;
    case AnnotateCommand::Decide:
        if (!m_history.entry().reviewed && !m_busy) {
            m_busy = true;
            Q_EMIT requestRelabel(m_history.entry().decision.labelId, *command.label);
        }
        return true;
    default:
        return false;
    }
}

bool AnnotateView::perform(const AnnotateCommand &command)
{
    switch (command.kind) {
    case AnnotateCommand::Decide:
        decide(*command.label);
        return true;
    case AnnotateCommand::Accept:
        if (m_current && m_current->predictedLabel >= 0) {
            decide(storage::Label::fromDigit(m_current->predictedLabel));
        }
        return true;
    case AnnotateCommand::Skip:
        if (!m_busy && m_current) {
            m_busy = true;
            m_awaitingNext = true;
            Q_EMIT requestSkip(m_current->imageId);
        }
        return true;
    case AnnotateCommand::Undo:
        if (!m_busy) {
            m_busy = true;
            Q_EMIT requestUndo();
        }
        return true;
    default:
        return false;
    }
}

void AnnotateView::replayTypedAhead()
{
    if (m_typedAhead.isEmpty() || m_busy || m_gridMode || m_history.isActive()) {
        return;
    }
    const std::optional<AnnotateCommand> typed = m_typedAhead.takeFor(currentImageId());
    if (!typed) {
        // Not the image the strip showed there (it went to someone else meanwhile, say).
        dropTypedAhead(tr("the image they were typed for is no longer next"));
        return;
    }
    perform(*typed);
    if (!m_busy) {
        dropTypedAhead(tr("the key before them did nothing on its image"));
    }
}

void AnnotateView::dropTypedAhead(const QString &why)
{
    if (m_typedAhead.isEmpty()) {
        return;
    }
    notice(tr("%n key(s) typed ahead were not used: %1.", nullptr, m_typedAhead.size()).arg(why));
    m_typedAhead.clear();
}

void AnnotateView::sayRefusedKeys()
{
    if (const int refused = m_typedAhead.takeRefused(); refused > 0) {
        notice(tr("%n key(s) typed ahead were not used: they went past the images"
                  " shown.",
                  nullptr, refused));
    }
}

} // namespace digitdesk::ui
