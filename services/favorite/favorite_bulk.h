#pragma once
// The favorite service's bulk path (seeding benchmark data) and its counter audit.

#include <cstdint>
#include <span>

#include "libs/sql/sqlite.h"

namespace minitok::favorite {

struct LikeRow {
  std::int64_t user_id = 0;
  std::int64_t video_id = 0;
  std::int64_t author_id = 0;
  std::int64_t created_ms = 0;
};

/// Inserts likes (duplicates ignored). Counters are not touched: call RecountCounters afterwards.
Status BulkInsertLikes(sql::Database& db, std::span<const LikeRow> rows);
/// Recomputes every favorite_count and total_favorited from the likes.
Status RecountCounters(sql::Database& db);
/// How many counters differ from a count of the rows they stand for.
Result<std::int64_t> CountCounterMismatches(sql::Database& db);

}  // namespace minitok::favorite
