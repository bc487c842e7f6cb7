#include "libs/ratelimit/token_bucket.h"

#include <algorithm>

namespace minitok::ratelimit {

BucketDecision Peek(const BucketRule& rule, std::int64_t full_at_ms, std::int64_t now_ms, std::int64_t cost) {
  if (cost < 0) return {.allowed = true};
  // Time the bucket still lacks to be full, plus what this request needs, beyond a full bucket.
  const std::int64_t missing_ms = std::max<std::int64_t>(full_at_ms - now_ms, 0);
  const std::int64_t wait_ms = missing_ms + std::max<std::int64_t>(cost, 1) * rule.refill_every_ms - rule.span_ms();
  if (wait_ms <= 0) return {.allowed = true};
  return {.allowed = false, .retry_after_ms = wait_ms};
}

std::int64_t Take(const BucketRule& rule, std::int64_t full_at_ms, std::int64_t now_ms, std::int64_t cost) {
  return std::max(std::max(full_at_ms, now_ms) + cost * rule.refill_every_ms, now_ms);
}

}  // namespace minitok::ratelimit
