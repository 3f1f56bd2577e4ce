#include "ui/slotguard.h"

#include "annotation/accesscontrol.h"
#include "storage/storageerror.h"

#include <QCoreApplication>
#include <QDebug>

#include <new>

namespace digitdesk::ui {

QString errorText(const std::exception_ptr &error)
{
    try {
        std::rethrow_exception(error);
    } catch (const storage::StorageError &storage) {
        return storage.message();
    } catch (const annotation::PermissionDenied &denied) {
        return QString::fromUtf8(denied.what());
    } catch (const std::bad_alloc &) {
        return QCoreApplication::translate("SlotGuard", "out of memory");
    } catch (const std::exception &other) {
        return QCoreApplication::translate("SlotGuard", "unexpected error: %1")
            .arg(QString::fromUtf8(other.what()));
    } catch (...) {
        return QCoreApplication::translate("SlotGuard", "unexpected error of an unknown kind");
    }
}

void logUnreported(const std::exception_ptr &error) noexcept
{
    try {
        qCritical().noquote() << "an error could not be shown:" << errorText(error);
    } catch (...) {
        // Nothing is left to tell it with.
    }
}

} // namespace digitdesk::ui
