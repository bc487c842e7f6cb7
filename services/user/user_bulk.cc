#include "services/user/user_bulk.h"

#include "libs/sql/bulk.h"

namespace minitok::user {

Status BulkInsertUsers(sql::Database& db, std::int64_t count, const std::string& name_prefix,
                       const std::string& password_hash, std::int64_t created_ms) {
  return sql::BulkRun(db, "INSERT INTO users (id, name, password_hash, created_ms) VALUES (?, ?, ?, ?)", count,
                      [&](sql::Statement& s, std::int64_t i) {
                        const std::int64_t id = i + 1;
                        s.Bind(1, id)
                            .Bind(2, std::string_view(name_prefix + std::to_string(id)))
                            .Bind(3, std::string_view(password_hash))
                            .Bind(4, created_ms);
                        return true;
                      });
}

}  // namespace minitok::user
