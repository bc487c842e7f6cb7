#pragma once
// The token-bucket rule, kept as one number per key: the time at which the bucket will be full
// again (the "generic cell rate algorithm"). A bucket holds `burst` tokens and gains one every
// `refill_every_ms`; a full bucket and an absent one are the same, so idle keys can be dropped.
// Integer milliseconds throughout, so that the local buckets and the Redis script agree exactly.

#include <cstdint>

namespace minitok::ratelimit {

struct BucketRule {
  std::int64_t burst = 0;
  std::int64_t refill_every_ms = 0;

  /// A burst or refill of 0 turns the limit off.
  bool enabled() const { return burst > 0 && refill_every_ms > 0; }
  /// How long an empty bucket takes to fill.
  std::int64_t span_ms() const { return burst * refill_every_ms; }
};

/// `full_at_ms`: when the bucket is full again (at or before now: it is full).
struct BucketDecision {
  bool allowed = false;
  /// When refused: the wait after which the same request is allowed (if nobody else takes).
  std::int64_t retry_after_ms = 0;
};

/// Whether `cost` tokens (at least one, for cost 0) are there at `now_ms`, without taking them. A
/// negative cost gives tokens back and is always allowed.
BucketDecision Peek(const BucketRule& rule, std::int64_t full_at_ms, std::int64_t now_ms, std::int64_t cost);

/// The bucket's full-again time after taking `cost` tokens at `now_ms` (call only when allowed);
/// a negative cost gives them back, never beyond a full bucket.
std::int64_t Take(const BucketRule& rule, std::int64_t full_at_ms, std::int64_t now_ms, std::int64_t cost);

}  // namespace minitok::ratelimit
