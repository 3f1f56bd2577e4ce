#pragma once

#include "storage/dialect.h"

namespace digitdesk::storage::detail {

// The two engines' dialects, each defined in its own file; Dialect::of picks one.
const Dialect &sqliteDialect();
const Dialect &postgresqlDialect();

} // namespace digitdesk::storage::detail
