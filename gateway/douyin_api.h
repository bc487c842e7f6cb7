#pragma once
// The "minimal Douyin" HTTP API mapped onto the services: every handler reads and validates
// its parameters, calls services through their interfaces, and writes the JSON answer.

#include <string>

#include "gateway/services.h"
#include "gateway/traffic_control.h"
#include "gateway/views.h"
#include "libs/cache/data_version.h"
#include "libs/cache/response_cache.h"
#include "libs/core/clock.h"
#include "libs/http/router.h"
#include "libs/log/logger.h"
#include "libs/security/token_codec.h"

namespace minitok::gateway {

struct ApiOptions {
  std::string public_url;  ///< base of absolute URLs; empty: from each request's Host
  /// Every service runs in other processes: the reads that only start calls (the feed, user
  /// info) run on the event loop, with no hop to a worker, since starting a call never blocks.
  bool services_remote = false;
};

/// Answers shared by all anonymous clients, valid while no write has committed since.
struct AnswerCache {
  cache::ResponseCache& answers;
  const cache::DataVersion& version;
};

/// The caps of the lists the API itself does not page (documented in the README).
inline constexpr int kFeedPageSize = 30;
inline constexpr std::int64_t kListCap = 100;
inline constexpr std::int64_t kChatCap = 500;

class DouyinApi {
 public:
  /// `cache` may be null (caching off); so may `traffic` (no rate limits).
  DouyinApi(Services services, const security::TokenCodec& tokens, const Clock& clock, ApiOptions options,
            log::Logger& logger, const AnswerCache* cache, const TrafficControl* traffic = nullptr);

  /// Adds the 16 Douyin routes (with and without the trailing slash) and /media/.
  void AddRoutes(http::Router& router);

  /// Answers produced by the server itself, in this API's envelope.
  static http::Response Busy();
  static http::Response UploadTooLarge(std::uint64_t limit_bytes);
  static http::Response BadForm(std::string_view message);
  static http::Response DiskFull();

 private:
  // Feed, UserInfo and FavoriteAction start their service calls and reply when the last answer
  // is in: with remote services a request holds no thread meanwhile.
  void Feed(http::Request& request, http::Reply reply);
  http::Response Register(http::Request& request);
  http::Response Login(http::Request& request);
  void UserInfo(http::Request& request, http::Reply reply);
  http::Response Publish(http::Request& request);
  http::Response PublishList(http::Request& request);
  void FavoriteAction(http::Request& request, http::Reply reply);
  http::Response FavoriteList(http::Request& request);
  http::Response CommentAction(http::Request& request);
  http::Response CommentList(http::Request& request);
  http::Response RelationAction(http::Request& request);
  http::Response FollowList(http::Request& request);
  http::Response FollowerList(http::Request& request);
  http::Response FriendList(http::Request& request);
  http::Response MessageAction(http::Request& request);
  http::Response MessageChat(http::Request& request);
  /// A minitok extension: the viewer's conversations, newest first (the inbox).
  http::Response MessageConversations(http::Request& request);
  http::Response Media(http::Request& request);

  /// Register and login share their shape: {user_id, token} or an error with both keys.
  http::Response Credentials(http::Request& request, bool create);
  /// Follow and follower lists share theirs.
  http::Response UserList(http::Request& request, bool followers);
  /// The cache key of an anonymous read (no token anywhere), or nullopt: personal answers are
  /// never shared.
  std::optional<std::string> AnonymousKey(const http::Request& request) const;
  /// Logs internal errors with their detail and answers with the public message.
  /// With `list_key`, the answer carries that list, empty (lists are always arrays).
  http::Response Fail(const http::Request& request, const Error& error, std::string_view list_key = {});

  Services services_;
  const security::TokenCodec& tokens_;
  const Clock& clock_;
  ApiOptions options_;
  log::Logger& logger_;
  const AnswerCache* cache_;
  const TrafficControl* traffic_;
  RenderedJsonCache rendered_{20'000};
};

/// "MM-DD" of an epoch-ms time in the process's time zone (TZ).
std::string MonthDay(std::int64_t epoch_ms);

}  // namespace minitok::gateway
