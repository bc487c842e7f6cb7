#include "services/favorite/favorite_bulk.h"

#include "libs/sql/bulk.h"

namespace minitok::favorite {
namespace {

// Every counter of this database and the rows it counts.
const sql::CounterAudit kCounters[] = {
    {"SELECT video_id, COUNT(*) AS n FROM likes GROUP BY video_id", "video_stats", "video_id", "favorite_count"},
    {"SELECT user_id, COUNT(*) AS n FROM likes GROUP BY user_id", "user_stats", "user_id", "favorite_count"},
    {"SELECT author_id AS user_id, COUNT(*) AS n FROM likes GROUP BY author_id", "user_stats", "user_id",
     "total_favorited"},
};

}  // namespace

Status BulkInsertLikes(sql::Database& db, std::span<const LikeRow> rows) {
  return sql::BulkRun(
      db, "INSERT OR IGNORE INTO likes (user_id, video_id, author_id, created_ms) VALUES (?, ?, ?, ?)",
      static_cast<std::int64_t>(rows.size()), [&](sql::Statement& s, std::int64_t i) {
        const auto& row = rows[static_cast<std::size_t>(i)];
        s.Bind(1, row.user_id).Bind(2, row.video_id).Bind(3, row.author_id).Bind(4, row.created_ms);
        return true;
      });
}

Status RecountCounters(sql::Database& db) { return sql::Recount(db, kCounters); }

Result<std::int64_t> CountCounterMismatches(sql::Database& db) { return sql::CountMismatches(db, kCounters); }

}  // namespace minitok::favorite
