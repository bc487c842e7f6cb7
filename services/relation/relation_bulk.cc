#include "services/relation/relation_bulk.h"

#include "libs/sql/bulk.h"

namespace minitok::relation {
namespace {

// Every counter of this database and the rows it counts.
const sql::CounterAudit kCounters[] = {
    {"SELECT follower_id AS user_id, COUNT(*) AS n FROM follows GROUP BY follower_id", "user_stats", "user_id",
     "follow_count"},
    {"SELECT followee_id AS user_id, COUNT(*) AS n FROM follows GROUP BY followee_id", "user_stats", "user_id",
     "follower_count"},
};

}  // namespace

Status BulkInsertFollows(sql::Database& db, std::span<const FollowRow> rows) {
  return sql::BulkRun(db, "INSERT OR IGNORE INTO follows (follower_id, followee_id, created_ms) VALUES (?, ?, ?)",
                      static_cast<std::int64_t>(rows.size()), [&](sql::Statement& s, std::int64_t i) {
                        const auto& row = rows[static_cast<std::size_t>(i)];
                        if (row.follower_id == row.followee_id) return false;
                        s.Bind(1, row.follower_id).Bind(2, row.followee_id).Bind(3, row.created_ms);
                        return true;
                      });
}

Status RecountCounters(sql::Database& db) { return sql::Recount(db, kCounters); }

Result<std::int64_t> CountCounterMismatches(sql::Database& db) { return sql::CountMismatches(db, kCounters); }

}  // namespace minitok::relation
