#include "services/message/message_bulk.h"

#include <algorithm>

#include "libs/sql/bulk.h"

namespace minitok::message {

Status BulkInsertMessages(sql::Database& db, std::span<const MessageRow> rows) {
  return sql::BulkRun(db,
                      "INSERT INTO messages (low_user_id, high_user_id, from_user_id, to_user_id, content, created_ms) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      static_cast<std::int64_t>(rows.size()), [&](sql::Statement& s, std::int64_t i) {
                        const auto& row = rows[static_cast<std::size_t>(i)];
                        if (row.from_user_id == row.to_user_id) return false;
                        s.Bind(1, std::min(row.from_user_id, row.to_user_id))
                            .Bind(2, std::max(row.from_user_id, row.to_user_id))
                            .Bind(3, row.from_user_id)
                            .Bind(4, row.to_user_id)
                            .Bind(5, std::string_view("Seeded message " + std::to_string(i)))
                            .Bind(6, row.created_ms);
                        return true;
                      });
}

}  // namespace minitok::message
