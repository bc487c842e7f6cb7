#include "services/video/video_bulk.h"

#include "libs/sql/bulk.h"

namespace minitok::video {
namespace {

// Every counter of this database and the rows it counts.
const sql::CounterAudit kCounters[] = {
    {"SELECT author_id AS user_id, COUNT(*) AS n FROM videos WHERE state = 1 GROUP BY author_id", "author_stats",
     "user_id", "work_count"},
};

}  // namespace

Status BulkInsertVideos(sql::Database& db, const SeedVideos& seed) {
  return sql::BulkRun(
      db,
      "INSERT INTO videos (id, author_id, title, play_path, play_type, cover_path, state, created_ms, ready_ms) "
      "VALUES (?, ?, ?, ?, 'video/mp4', ?, 1, ?, ?)",
      seed.count, [&](sql::Statement& s, std::int64_t i) {
        const std::int64_t id = i + 1;
        s.Bind(1, id)
            .Bind(2, seed.author_of(id))
            .Bind(3, std::string_view("Seeded video " + std::to_string(id)))
            .Bind(4, std::string_view(seed.play_path))
            .Bind(5, std::string_view(seed.cover_path))
            .Bind(6, seed.first_ready_ms + id)
            .Bind(7, seed.first_ready_ms + id);
        return true;
      });
}

Status RecountCounters(sql::Database& db) { return sql::Recount(db, kCounters); }

Result<std::int64_t> CountCounterMismatches(sql::Database& db) { return sql::CountMismatches(db, kCounters); }

}  // namespace minitok::video
