#pragma once
// The relation service's bulk path (seeding benchmark data) and its counter audit.

#include <cstdint>
#include <span>

#include "libs/sql/sqlite.h"

namespace minitok::relation {

struct FollowRow {
  std::int64_t follower_id = 0;
  std::int64_t followee_id = 0;
  std::int64_t created_ms = 0;
};

/// Inserts follows (duplicates ignored). Counters are not touched: call RecountCounters.
Status BulkInsertFollows(sql::Database& db, std::span<const FollowRow> rows);
Status RecountCounters(sql::Database& db);
Result<std::int64_t> CountCounterMismatches(sql::Database& db);

}  // namespace minitok::relation
