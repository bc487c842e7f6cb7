#pragma once
// The user service's bulk path, for seeding benchmark data folders.

#include <cstdint>
#include <string>

#include "libs/sql/sqlite.h"

namespace minitok::user {

/// Users 1..count named `name_prefix` + id, all with one password hash (benchmark data only).
Status BulkInsertUsers(sql::Database& db, std::int64_t count, const std::string& name_prefix,
                       const std::string& password_hash, std::int64_t created_ms);

}  // namespace minitok::user
