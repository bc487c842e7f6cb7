#pragma once
// What a rate limiter decides, whatever keeps its buckets (this process, or Redis for several
// gateways): a request passes a few checks at once, all or nothing.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libs/ratelimit/token_bucket.h"

namespace minitok::ratelimit {

struct Check {
  /// The limit's name ("login"); buckets of different limits never mix.
  std::string limit;
  BucketRule rule;
  /// Who is limited: a client address, a user id, an address and a username.
  std::string subject;
  /// Tokens taken; 0 only asks whether one is there; negative gives tokens back (a sign-in that
  /// succeeded returns the failure token its admission reserved).
  std::int64_t cost = 1;
};

struct Verdict {
  bool allowed = true;
  /// When refused: how long until a retry is allowed.
  std::int64_t retry_after_ms = 0;
  /// When refused: which check refused (the one with the longest wait).
  std::size_t refused_check = 0;
};

using VerdictCallback = std::function<void(Verdict)>;

class Limiter {
 public:
  virtual ~Limiter() = default;

  // Both take every check's cost when every check allows it, and nothing otherwise.

  /// The verdict, when it can be had without waiting on another server (local buckets, or Redis
  /// unreachable); nullopt otherwise, having decided nothing. Never blocks.
  virtual std::optional<Verdict> TryDecide(std::span<const Check> checks) = 0;
  /// Decides, possibly by waiting on another server, and calls `later` exactly once with the
  /// verdict: from another thread, or from this call when it needs no waiting after all. Never
  /// blocks.
  virtual void DecideLater(std::vector<Check> checks, VerdictCallback later) = 0;

  /// Either way, waiting for the verdict: only for threads that may block (workers).
  Verdict DecideAndWait(std::vector<Check> checks);
};

}  // namespace minitok::ratelimit
