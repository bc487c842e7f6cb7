#pragma once
// Reading a Douyin API request: typed parameters with clear errors, the caller's identity, and
// the base URL for the absolute links in the answer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libs/core/page.h"
#include "libs/core/result.h"
#include "libs/http/message.h"
#include "libs/security/token_codec.h"

namespace minitok::gateway {

class RequestContext {
 public:
  RequestContext(const http::Request& request, const security::TokenCodec& tokens,
                 const std::string& public_url);

  /// A required integer parameter (decimal or exact exponent form).
  Result<std::int64_t> RequiredInt(std::string_view name) const;
  /// An optional one: nullopt when absent; present but empty or malformed is an error.
  Result<std::optional<std::int64_t>> OptionalInt(std::string_view name) const;
  /// An optional client time (seconds or milliseconds, see ClientTimeToMs): >= 0 when present.
  Result<std::optional<std::int64_t>> OptionalTime(std::string_view name) const;
  /// A required id: an integer >= 1.
  Result<std::int64_t> RequiredId(std::string_view name) const;
  Result<std::string_view> RequiredString(std::string_view name) const;
  /// `limit` (1..cap, default cap) and `offset` (0..kMaxOffset), so that offset + limit can never
  /// overflow anywhere below.
  Result<Page> Paging(std::int64_t cap) const;
  static constexpr std::int64_t kMaxOffset = 1'000'000'000;

  /// The token from `Authorization: Bearer`, else the body, else the query.
  std::optional<std::string_view> Token() const;
  /// The caller's user id; kUnauthenticated when there is no valid token.
  Result<std::int64_t> Authenticate() const;
  /// Who is looking: the token's user, 0 without a token; a token that is present but invalid or
  /// expired is kUnauthenticated (the client must sign in again, not be silently demoted).
  Result<std::int64_t> Viewer() const;
  /// The same, except that an invalid token reads as anonymous: for the feed, the home screen
  /// that must always work.
  std::int64_t ViewerOrAnonymous() const;

  /// "http://host:port" from --public-url or the Host header, with no trailing slash.
  const std::string& BaseUrl() const { return base_url_; }

 private:
  const http::Request& request_;
  const security::TokenCodec& tokens_;
  std::string base_url_;
};

/// The token from `Authorization: Bearer`, else the body, else the query. Without the body: what
/// is known before the body arrives.
std::optional<std::string_view> RequestToken(const http::Request& request, bool include_body = true);

/// Epoch milliseconds from a client time given in seconds or milliseconds (values below 10^11
/// are seconds); 0 means "now" (negative times are refused by OptionalTime before this).
std::int64_t ClientTimeToMs(std::int64_t value, std::int64_t now_ms);

}  // namespace minitok::gateway
