#pragma once
// The comment service's bulk path (seeding benchmark data) and its counter audit.

#include <cstdint>
#include <span>

#include "libs/sql/sqlite.h"

namespace minitok::comment {

struct CommentRow {
  std::int64_t video_id = 0;
  std::int64_t user_id = 0;
  std::int64_t created_ms = 0;
};

/// Inserts comments with generated text. Counters are not touched: call RecountCounters.
Status BulkInsertComments(sql::Database& db, std::span<const CommentRow> rows);
Status RecountCounters(sql::Database& db);
Result<std::int64_t> CountCounterMismatches(sql::Database& db);

}  // namespace minitok::comment
