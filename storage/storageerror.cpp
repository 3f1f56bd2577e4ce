#include "storage/storageerror.h"

namespace digitdesk::storage {

StorageError::StorageError(const QString &message) : std::runtime_error(message.toStdString()) {}

QString StorageError::message() const
{
    return QString::fromUtf8(what());
}

} // namespace digitdesk::storage
