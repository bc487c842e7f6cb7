#pragma once
// The message service's bulk path (seeding benchmark data).

#include <cstdint>
#include <span>

#include "libs/sql/sqlite.h"

namespace minitok::message {

struct MessageRow {
  std::int64_t from_user_id = 0;
  std::int64_t to_user_id = 0;
  std::int64_t created_ms = 0;  ///< must be unique across messages
};

Status BulkInsertMessages(sql::Database& db, std::span<const MessageRow> rows);

}  // namespace minitok::message
