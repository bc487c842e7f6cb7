#pragma once
// Helpers for the data layers' bulk paths (seeding benchmark data): many rows through one
// prepared statement, committed in batches.

#include <cstdint>
#include <functional>
#include <string_view>

#include "libs/sql/sqlite.h"

namespace minitok::sql {

/// Calls `bind(statement, i)` for i in [0, count) and runs the statement each time, committing
/// every `batch` rows. `bind` returns false to skip row i.
Status BulkRun(Database& db, std::string_view statement, std::int64_t count,
               const std::function<bool(Statement&, std::int64_t)>& bind, std::int64_t batch = 100000);

/// Runs `script` (several statements) in one write transaction.
Status RunScript(Database& db, std::string_view script);

/// The single integer a query returns (e.g. a COUNT).
Result<std::int64_t> QueryInt(Database& db, std::string_view query);

}  // namespace minitok::sql
