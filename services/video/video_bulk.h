#pragma once
// The video service's bulk path (seeding benchmark data) and its counter audit.

#include <cstdint>
#include <functional>
#include <string>

#include "libs/sql/sqlite.h"

namespace minitok::video {

struct SeedVideos {
  std::int64_t count = 0;
  std::function<std::int64_t(std::int64_t id)> author_of;
  std::string play_path;  ///< seeded videos share their media files
  std::string cover_path;
  std::int64_t first_ready_ms = 0;  ///< video i is ready at first_ready_ms + i (unique feed times)
};

/// Videos 1..count, all ready. Counters are not touched: call RecountCounters afterwards.
Status BulkInsertVideos(sql::Database& db, const SeedVideos& seed);
/// Recomputes work_count from the videos.
Status RecountCounters(sql::Database& db);
/// How many authors' work_count differs from a count of their ready videos.
Result<std::int64_t> CountCounterMismatches(sql::Database& db);

}  // namespace minitok::video
