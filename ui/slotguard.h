#pragma once

#include <QString>

#include <exception>

namespace digitdesk::ui {

// A caught exception as the sentence a person reads: a StorageError or PermissionDenied says
// what failed and why; anything else is named as unexpected.
QString errorText(const std::exception_ptr &error);
// For when even showing the error failed: the sentence goes to the log.
void logUnreported(const std::exception_ptr &error) noexcept;

// Runs `action` where an exception must not escape: a slot, an event handler or an event
// filter, whose caller is Qt's event loop (which would end the process). What it throws is
// handed to `report` as a sentence, for the view to show; false when it threw.
template <typename Action, typename Report>
bool guardSlot(Action &&action, Report &&report) noexcept
{
    try {
        action();
        return true;
    } catch (...) {
        const std::exception_ptr error = std::current_exception();
        try {
            report(errorText(error));
        } catch (...) {
            logUnreported(error);
        }
        return false;
    }
}

} // namespace digitdesk::ui
