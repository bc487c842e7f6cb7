#pragma once
#include <memory>

#include "libs/core/clock.h"
#include "libs/sql/sqlite.h"
#include "services/message/message_service.h"
#include "services/user/user_service.h"

namespace minitok::message {

std::span<const EmbeddedFile> Migrations();

class MessageServiceSqlite final : public MessageService {
 public:
  MessageServiceSqlite(std::unique_ptr<sql::Database> db, user::UserService& users, const Clock& clock);

  // MessageService
  Result<MessageRecord> Send(std::int64_t from_user_id, std::int64_t to_user_id,
                             std::string_view content) override;
  Result<std::vector<MessageRecord>> Chat(std::int64_t user_id, std::int64_t peer_id, std::int64_t after_ms,
                                          Page page) override;
  Result<std::vector<LatestMessage>> Latest(std::int64_t user_id,
                                            std::span<const std::int64_t> peer_ids) override;
  Result<std::vector<LatestMessage>> Conversations(std::int64_t user_id, Page page) override;

 private:
  std::unique_ptr<sql::Database> db_;
  user::UserService& users_;
  const Clock& clock_;
};

Status ValidateMessageContent(std::string_view content);

}  // namespace minitok::message
