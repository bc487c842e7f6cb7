#pragma once
// Rate limits of the Douyin routes: which bucket each request draws from (its client address, its
// user, or both), and the answer when one is empty: HTTP 429 with an honest Retry-After and the
// API's envelope with a message that says what was limited and when to retry.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "libs/http/router.h"
#include "libs/ratelimit/client_address.h"
#include "libs/ratelimit/limiter.h"
#include "libs/security/token_codec.h"

namespace minitok::gateway {

/// What a route's requests are limited as (one bucket kind each; login also checks failures).
enum class Limited { kRegister, kLogin, kPublish, kComment, kMessage, kLike, kFollow, kRead };

class TrafficControl {
 public:
  /// `rules` by name (register, login, login_failures, publish, comment, message, like, follow,
  /// reads); a missing or disabled rule turns that limit off.
  using Rules = std::map<std::string, ratelimit::BucketRule, std::less<>>;

  /// `live`: the rules may change while serving (SetRules), so every limited route checks them;
  /// otherwise a route whose limits are off pays nothing.
  TrafficControl(const Rules& rules, ratelimit::Limiter& limiter, ratelimit::TrustedProxies trusted,
                 const security::TokenCodec& tokens, bool live = false);

  /// New values for the rules named at construction (others are ignored). Thread-safe; requests
  /// already admitted keep their verdict.
  void SetRules(const Rules& rules);

  /// The admission of a route's requests, or empty when none of its limits is on (so that an
  /// unlimited route pays nothing).
  std::function<http::Admission(const http::Request&)> AdmissionFor(Limited what) const;

  /// A sign-in's admission reserves a token of its (client, username) pair, so that concurrent
  /// guesses cannot all pass; a sign-in that was no failed guess (it succeeded, or failed for
  /// another reason) gives it back. May block (workers only).
  void LoginWasNoGuess(const http::Request& request) const;
  /// A publish whose token came in its body could not be checked before the body: checks its
  /// author now. May block (workers only). The refusal, if over the limit.
  std::optional<http::Response> AdmitLateUpload(const http::Request& request, std::int64_t author) const;
  /// Whether a publish's admission saw its user (a token in the header or the query).
  std::optional<std::int64_t> UploaderBeforeBody(const http::Request& request) const;

  /// The key of the request's client (see ratelimit::ClientKey).
  std::string ClientOf(const http::Request& request) const;

 private:
  /// The rule `name` as it is now, when it is on.
  std::optional<ratelimit::BucketRule> Rule(std::string_view name) const;
  /// The login_failures check of a sign-in (its client and username), when that limit is on and
  /// the username could be one (at most 32 characters, no control characters: nothing else can
  /// sign in, and nobody can make a bucket key of a megabyte).
  std::optional<ratelimit::Check> FailurePair(const http::Request& request, std::string_view client) const;
  /// The checks a request of `what` passes, or nullopt when it passes none (unauthenticated
  /// actions are left to the handler, which refuses them).
  std::optional<std::vector<ratelimit::Check>> ChecksFor(Limited what, const http::Request& request) const;
  http::Admission Admit(Limited what, const http::Request& request) const;

  struct LiveRule {
    std::atomic<std::int64_t> burst{0};
    std::atomic<std::int64_t> refill_every_ms{0};
  };
  std::map<std::string, LiveRule, std::less<>> rules_;  ///< names fixed at construction
  const bool live_;
  ratelimit::Limiter& limiter_;
  ratelimit::TrustedProxies trusted_;
  const security::TokenCodec& tokens_;
};

/// The 429 answer for a refused check of limit `limit_name`.
http::Response RateLimited(std::string_view limit_name, std::int64_t retry_after_ms, bool body_unread);

}  // namespace minitok::gateway
