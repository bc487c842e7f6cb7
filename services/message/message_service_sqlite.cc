#include "services/message/message_service_sqlite.h"

#include <algorithm>

#include "embedded/message_migrations.h"
#include "libs/core/text.h"

namespace minitok::message {
namespace {

constexpr std::string_view kLastTime = "SELECT COALESCE(MAX(created_ms), 0) FROM messages";
constexpr std::string_view kInsert =
    "INSERT INTO messages (low_user_id, high_user_id, from_user_id, to_user_id, content, created_ms) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr std::string_view kNewest =
    "SELECT id, from_user_id, to_user_id, content, created_ms FROM messages "
    "WHERE low_user_id = ? AND high_user_id = ? ORDER BY created_ms DESC LIMIT ? OFFSET ?";
constexpr std::string_view kAfter =
    "SELECT id, from_user_id, to_user_id, content, created_ms FROM messages "
    "WHERE low_user_id = ? AND high_user_id = ? AND created_ms > ? ORDER BY created_ms ASC LIMIT ?";
constexpr std::string_view kLatest =
    "SELECT id, from_user_id, to_user_id, content, created_ms FROM messages "
    "WHERE low_user_id = ? AND high_user_id = ? ORDER BY created_ms DESC LIMIT 1";

constexpr std::string_view kConversations =
    "SELECT m.id, m.from_user_id, m.to_user_id, m.content, m.created_ms, c.peer_id "
    "FROM conversations c JOIN messages m ON m.id = c.last_message_id "
    "WHERE c.user_id = ? ORDER BY c.last_ms DESC LIMIT ? OFFSET ?";

constexpr std::size_t kMaxMessageCharacters = 1000;

MessageRecord ReadMessage(const sql::Statement& s) {
  return {s.ColumnInt(0), s.ColumnInt(1), s.ColumnInt(2), s.ColumnText(3), s.ColumnInt(4)};
}

}  // namespace

std::span<const EmbeddedFile> Migrations() { return message_migrations::Files(); }

Status ValidateMessageContent(std::string_view content) {
  return ValidateText(content, {.what = "message", .max_characters = kMaxMessageCharacters, .allow_newlines = true});
}

MessageServiceSqlite::MessageServiceSqlite(std::unique_ptr<sql::Database> db, user::UserService& users,
                                           const Clock& clock)
    : db_(std::move(db)), users_(users), clock_(clock) {}

Result<MessageRecord> MessageServiceSqlite::Send(std::int64_t from_user_id, std::int64_t to_user_id,
                                                 std::string_view content) {
  if (from_user_id == to_user_id) return MakeError(Code::kInvalidArgument, "you cannot message yourself");
  MINITOK_RETURN_IF_ERROR(ValidateMessageContent(content));
  MINITOK_RETURN_IF_ERROR(user::RequireUser(users_, to_user_id));
  return db_->Write([&](sql::Connection& c) -> Result<MessageRecord> {
    MINITOK_ASSIGN_OR_RETURN(auto last, c.Prepare(kLastTime));
    MINITOK_ASSIGN_OR_RETURN(const bool has_last, last.Step());
    // Unique, increasing times: a client polling with "newer than my newest" never misses one.
    const std::int64_t created = std::max(clock_.NowMs(), (has_last ? last.ColumnInt(0) : 0) + 1);
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    insert.Bind(1, std::min(from_user_id, to_user_id))
        .Bind(2, std::max(from_user_id, to_user_id))
        .Bind(3, from_user_id)
        .Bind(4, to_user_id)
        .Bind(5, content)
        .Bind(6, created);
    MINITOK_RETURN_IF_ERROR(insert.Run());
    return MessageRecord{c.LastInsertRowId(), from_user_id, to_user_id, std::string(content), created};
  });
}

Result<std::vector<MessageRecord>> MessageServiceSqlite::Chat(std::int64_t user_id, std::int64_t peer_id,
                                                              std::int64_t after_ms, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<MessageRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(after_ms > 0 ? kAfter : kNewest));
    select.Bind(1, std::min(user_id, peer_id)).Bind(2, std::max(user_id, peer_id));
    if (after_ms > 0) {
      select.Bind(3, after_ms).Bind(4, page.limit);
    } else {
      select.Bind(3, page.limit).Bind(4, page.offset);
    }
    std::vector<MessageRecord> messages;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) break;
      messages.push_back(ReadMessage(select));
    }
    if (after_ms <= 0) std::reverse(messages.begin(), messages.end());  // oldest first
    return messages;
  });
}

Result<std::vector<LatestMessage>> MessageServiceSqlite::Latest(std::int64_t user_id,
                                                                std::span<const std::int64_t> peer_ids) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<LatestMessage>> {
    std::vector<LatestMessage> latest;
    latest.reserve(peer_ids.size());
    for (const auto peer : peer_ids) {
      // One indexed probe per peer inside one read transaction (a friend list page is small).
      MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kLatest));
      select.Bind(1, std::min(user_id, peer)).Bind(2, std::max(user_id, peer));
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      latest.push_back({peer, row ? std::optional(ReadMessage(select)) : std::nullopt});
    }
    return latest;
  });
}

Result<std::vector<LatestMessage>> MessageServiceSqlite::Conversations(std::int64_t user_id, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<LatestMessage>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kConversations));
    select.Bind(1, user_id).Bind(2, page.limit).Bind(3, page.offset);
    std::vector<LatestMessage> conversations;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return conversations;
      conversations.push_back({select.ColumnInt(5), ReadMessage(select)});
    }
  });
}

}  // namespace minitok::message
