#include "gateway/traffic_control.h"

#include <mutex>

#include "gateway/api_envelope.h"
#include "gateway/request_context.h"
#include "libs/core/text.h"

namespace minitok::gateway {
namespace {

using http::Request;
using http::Response;

/// What a refusal of each limit tells the client (followed by when to retry).
std::string_view WhatWasLimited(std::string_view limit) {
  if (limit == "register") return "Too many sign-ups from your network";
  if (limit == "login") return "Too many sign-in attempts from your network";
  if (limit == "login_failures") return "Too many failed sign-ins to this account from your network";
  if (limit == "publish") return "Too many uploads";
  if (limit == "comment") return "Too many comments";
  if (limit == "message") return "Too many messages";
  if (limit == "like") return "Too many likes";
  if (limit == "follow") return "Too many follows";
  return "Too many requests from your network";
}

/// The limit a route's requests draw from (login also checks login_failures).
std::string_view LimitOf(Limited what) {
  switch (what) {
    case Limited::kRegister: return "register";
    case Limited::kLogin: return "login";
    case Limited::kPublish: return "publish";
    case Limited::kComment: return "comment";
    case Limited::kMessage: return "message";
    case Limited::kLike: return "like";
    case Limited::kFollow: return "follow";
    case Limited::kRead: return "reads";
  }
  return "reads";
}

/// Could this be a username at all? (The user service's rule is 1 to 32 characters without control
/// characters; 128 bytes hold 32 characters of UTF-8.)
bool PlausibleUsername(std::string_view name) {
  return !name.empty() && name.size() <= 128 && !HasControlCharacters(name, false);
}

/// Where a verdict that comes later meets the server's completion, whichever arrives first.
struct Rendezvous {
  std::mutex mutex;
  std::optional<std::optional<Response>> decided;
  std::function<void(std::optional<Response>)> completion;

  void Decide(std::optional<Response> refusal) {
    std::unique_lock lock(mutex);
    if (!completion) {
      decided = std::move(refusal);
      return;
    }
    auto done = std::move(completion);
    lock.unlock();
    done(std::move(refusal));
  }

  void Await(std::function<void(std::optional<Response>)> done) {
    std::unique_lock lock(mutex);
    if (!decided) {
      completion = std::move(done);
      return;
    }
    auto refusal = std::move(*decided);
    lock.unlock();
    done(std::move(refusal));
  }
};

}  // namespace

Response RateLimited(std::string_view limit_name, std::int64_t retry_after_ms, bool body_unread) {
  // Whole seconds, rounded up: a retry after them is allowed.
  const std::int64_t seconds = std::max<std::int64_t>(1, (retry_after_ms + 999) / 1000);
  const std::string message =
      std::string(WhatWasLimited(limit_name)) + ": try again in " + std::to_string(seconds) + " s";
  const bool credentials = limit_name == "register" || limit_name == "login" || limit_name == "login_failures";
  Response response = ApiError(MakeError(Code::kResourceExhausted, message), [credentials](json::JsonWriter& out) {
    if (credentials) out.Member("user_id", 0).Member("token", "");
  });
  response.status = 429;
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  response.close_connection = body_unread;  // the unread body would otherwise be taken for a request
  return response;
}

TrafficControl::TrafficControl(const Rules& rules, ratelimit::Limiter& limiter, ratelimit::TrustedProxies trusted,
                               const security::TokenCodec& tokens, bool live)
    : live_(live), limiter_(limiter), trusted_(std::move(trusted)), tokens_(tokens) {
  for (const auto& [name, rule] : rules) rules_.try_emplace(name);
  SetRules(rules);
}

void TrafficControl::SetRules(const Rules& rules) {
  for (const auto& [name, rule] : rules) {
    if (const auto it = rules_.find(name); it != rules_.end()) {
      it->second.burst.store(rule.burst, std::memory_order_relaxed);
      it->second.refill_every_ms.store(rule.refill_every_ms, std::memory_order_relaxed);
    }
  }
}

std::optional<ratelimit::BucketRule> TrafficControl::Rule(std::string_view name) const {
  const auto it = rules_.find(name);
  if (it == rules_.end()) return std::nullopt;
  const ratelimit::BucketRule rule{.burst = it->second.burst.load(std::memory_order_relaxed),
                                   .refill_every_ms = it->second.refill_every_ms.load(std::memory_order_relaxed)};
  return rule.enabled() ? std::optional(rule) : std::nullopt;
}

std::string TrafficControl::ClientOf(const Request& request) const {
  if (trusted_.empty()) {
    // An IPv4 peer, as the server prints it, is already its own key.
    if (request.remote_address.find(':') == std::string::npos) return request.remote_address;
    return ratelimit::ClientKey(request.remote_address, {}, trusted_);
  }
  std::string forwarded_for;
  for (const auto& [name, value] : request.headers) {
    if (name != "x-forwarded-for") continue;
    if (!forwarded_for.empty()) forwarded_for.push_back(',');
    forwarded_for.append(value);
  }
  return ratelimit::ClientKey(request.remote_address, forwarded_for, trusted_);
}

std::optional<std::int64_t> TrafficControl::UploaderBeforeBody(const Request& request) const {
  const auto token = RequestToken(request, false);
  if (!token) return std::nullopt;
  auto user = tokens_.Verify(*token);
  return user.ok() ? std::optional(*user) : std::nullopt;
}

std::optional<std::vector<ratelimit::Check>> TrafficControl::ChecksFor(Limited what, const Request& request) const {
  const std::string_view limit = LimitOf(what);
  const auto rule = Rule(limit);
  std::vector<ratelimit::Check> checks;
  const auto by_user = [&](std::optional<std::int64_t> user) {
    if (user && rule) checks.push_back({std::string(limit), *rule, std::to_string(*user), 1});
  };
  switch (what) {
    case Limited::kRegister:
    case Limited::kRead:
      if (rule) checks.push_back({std::string(limit), *rule, ClientOf(request), 1});
      break;
    case Limited::kLogin: {
      const std::string client = ClientOf(request);
      if (rule) checks.push_back({std::string(limit), *rule, client, 1});
      // Reserves this pair's failure token; LoginWasNoGuess() gives it back.
      if (auto pair = FailurePair(request, client)) checks.push_back(std::move(*pair));
      break;
    }
    case Limited::kPublish: by_user(UploaderBeforeBody(request)); break;
    case Limited::kComment:
    case Limited::kMessage:
    case Limited::kLike:
    case Limited::kFollow: {
      const auto token = RequestToken(request);
      auto user = token ? tokens_.Verify(*token) : Result<std::int64_t>(MakeError(Code::kUnauthenticated, ""));
      by_user(user.ok() ? std::optional(*user) : std::nullopt);
      break;
    }
  }
  if (checks.empty()) return std::nullopt;
  return checks;
}

std::function<http::Admission(const Request&)> TrafficControl::AdmissionFor(Limited what) const {
  const bool on = Rule(LimitOf(what)) || (what == Limited::kLogin && Rule("login_failures"));
  if (!on && !live_) return nullptr;
  return [this, what](const Request& request) { return Admit(what, request); };
}

http::Admission TrafficControl::Admit(Limited what, const Request& request) const {
  auto checks = ChecksFor(what, request);
  if (!checks) return {};
  const bool body_unread = what == Limited::kPublish;
  if (const auto verdict = limiter_.TryDecide(*checks)) {
    if (verdict->allowed) return {};
    return {.refusal = RateLimited((*checks)[verdict->refused_check].limit, verdict->retry_after_ms, body_unread)};
  }
  // Shared buckets: the verdict comes from the Redis thread, and the server waits for it.
  std::vector<std::string> limits;
  for (const auto& check : *checks) limits.push_back(check.limit);
  auto rendezvous = std::make_shared<Rendezvous>();
  limiter_.DecideLater(std::move(*checks), [rendezvous, limits = std::move(limits), body_unread](ratelimit::Verdict verdict) {
    rendezvous->Decide(verdict.allowed ? std::nullopt
                                       : std::optional(RateLimited(limits.at(verdict.refused_check),
                                                                   verdict.retry_after_ms, body_unread)));
  });
  return {.decide_later = [rendezvous](std::function<void(std::optional<Response>)> done) {
            rendezvous->Await(std::move(done));
          }};
}

std::optional<ratelimit::Check> TrafficControl::FailurePair(const Request& request, std::string_view client) const {
  const auto rule = Rule("login_failures");
  const auto username = request.params.Get("username");
  if (!rule || !username || !PlausibleUsername(*username)) return std::nullopt;
  std::string subject(client);
  subject.push_back('\n');
  subject.append(*username);
  return ratelimit::Check{"login_failures", *rule, std::move(subject), 1};
}

void TrafficControl::LoginWasNoGuess(const Request& request) const {
  auto pair = FailurePair(request, ClientOf(request));
  if (!pair) return;
  pair->cost = -1;
  // Giving back is always allowed: there is no verdict to act on.
  (void)limiter_.DecideAndWait({std::move(*pair)});
}

std::optional<Response> TrafficControl::AdmitLateUpload(const Request& request, std::int64_t author) const {
  const auto rule = Rule("publish");
  if (!rule || UploaderBeforeBody(request) == author) return std::nullopt;
  const auto verdict = limiter_.DecideAndWait({{"publish", *rule, std::to_string(author), 1}});
  if (verdict.allowed) return std::nullopt;
  return RateLimited("publish", verdict.retry_after_ms, false);
}

}  // namespace minitok::gateway
