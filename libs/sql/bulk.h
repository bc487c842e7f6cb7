#pragma once
// Helpers for the data layers' bulk paths (seeding benchmark data): many rows through one
// prepared statement, committed in batches.

#include <cstdint>
#include <functional>
#include <span>
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

/// A stored counter and the rows it counts: one description serves the recount and the audit.
struct CounterAudit {
  std::string_view actual;  ///< a query yielding (<key>, n): the count from the rows
  std::string_view table;   ///< where the counter is stored
  std::string_view key;     ///< the column both share
  std::string_view column;  ///< the stored counter
};

/// Recomputes every stored counter from its rows, in one transaction: each table named is emptied,
/// then each counter is written from `actual` (counters sharing a table share its rows).
Status Recount(Database& db, std::span<const CounterAudit> counters);

/// How many counters differ from their rows, looked at from both sides (a missing counter row
/// reads as 0). The names are constants of the calling data layer, never input.
Result<std::int64_t> CountMismatches(Database& db, const CounterAudit& audit);
/// The sum over several counters.
Result<std::int64_t> CountMismatches(Database& db, std::span<const CounterAudit> audits);

}  // namespace minitok::sql
