#include "services/comment/comment_bulk.h"

#include "libs/sql/bulk.h"

namespace minitok::comment {
namespace {

// Every counter of this database and the rows it counts.
const sql::CounterAudit kCounters[] = {
    {"SELECT video_id, COUNT(*) AS n FROM comments GROUP BY video_id", "video_stats", "video_id", "comment_count"},
};

}  // namespace

Status BulkInsertComments(sql::Database& db, std::span<const CommentRow> rows) {
  return sql::BulkRun(db, "INSERT INTO comments (video_id, user_id, content, created_ms) VALUES (?, ?, ?, ?)",
                      static_cast<std::int64_t>(rows.size()), [&](sql::Statement& s, std::int64_t i) {
                        const auto& row = rows[static_cast<std::size_t>(i)];
                        s.Bind(1, row.video_id)
                            .Bind(2, row.user_id)
                            .Bind(3, std::string_view("Seeded comment " + std::to_string(i)))
                            .Bind(4, row.created_ms);
                        return true;
                      });
}

Status RecountCounters(sql::Database& db) { return sql::Recount(db, kCounters); }

Result<std::int64_t> CountCounterMismatches(sql::Database& db) { return sql::CountMismatches(db, kCounters); }

}  // namespace minitok::comment
