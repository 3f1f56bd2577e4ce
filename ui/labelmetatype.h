#pragma once

#include "storage/label.h"

#include <QMetaType>

// Labels cross from the views to their workers in queued signals.
Q_DECLARE_METATYPE(digitdesk::storage::Label)
Q_DECLARE_METATYPE(digitdesk::storage::MaybeLabel)
