#pragma once

#include "storage/migrations.h"

#include <vector>

namespace digitdesk::storage {

// Every migration of the schema, in version order: what the tables are. Migrations applies them.
std::vector<Migration> schemaMigrations();

} // namespace digitdesk::storage
