#pragma once
// The message service: direct messages between two users.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/page.h"
#include "libs/core/result.h"

namespace minitok::message {

struct MessageRecord {
  std::int64_t id = 0;
  std::int64_t from_user_id = 0;
  std::int64_t to_user_id = 0;
  std::string content;
  std::int64_t created_ms = 0;  ///< unique across messages
};

struct LatestMessage {
  std::int64_t peer_id = 0;
  std::optional<MessageRecord> message;
};

class MessageService {
 public:
  virtual ~MessageService() = default;
  /// No friendship needed; kInvalidArgument for yourself or bad content, kNotFound for an
  /// unknown recipient.
  virtual Result<MessageRecord> Send(std::int64_t from_user_id, std::int64_t to_user_id,
                                     std::string_view content) = 0;
  /// Both directions, oldest first. With `after_ms` > 0 only messages created strictly after it
  /// (up to page.limit); otherwise the newest page.limit messages (skipping page.offset newest).
  virtual Result<std::vector<MessageRecord>> Chat(std::int64_t user_id, std::int64_t peer_id,
                                                  std::int64_t after_ms, Page page) = 0;
  /// The latest message between `user_id` and each peer, in the order asked.
  virtual Result<std::vector<LatestMessage>> Latest(std::int64_t user_id,
                                                    std::span<const std::int64_t> peer_ids) = 0;
  /// Everyone `user_id` has exchanged a message with (either direction), with the latest message
  /// between them, that message's newest first.
  virtual Result<std::vector<LatestMessage>> Conversations(std::int64_t user_id, Page page) = 0;
};

}  // namespace minitok::message
