#pragma once
// Token buckets in this process's memory: sharded maps from a keyed hash of (limit, subject) to
// the bucket's full-again time. Memory is bounded: a shard that reaches its share of `max_keys`
// first drops its idle (full again) buckets, then the ones closest to full.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "libs/ratelimit/limiter.h"

namespace minitok::ratelimit {

/// Milliseconds from a monotonic clock (the default time source of the local buckets).
std::int64_t MonotonicMs();

struct LocalLimiterOptions {
  std::size_t max_keys = 1'000'000;
  std::size_t shards = 64;
  /// Time source in ms; tests pass a manual clock.
  std::function<std::int64_t()> now_ms = MonotonicMs;
};

class LocalLimiter final : public Limiter {
 public:
  explicit LocalLimiter(LocalLimiterOptions options = {});
  ~LocalLimiter() override;

  /// Local buckets always decide at once.
  std::optional<Verdict> TryDecide(std::span<const Check> checks) override { return DecideNow(checks); }
  void DecideLater(std::vector<Check> checks, VerdictCallback later) override { later(DecideNow(checks)); }
  Verdict DecideNow(std::span<const Check> checks);

  /// Buckets held (for tests and the memory benchmark).
  std::size_t size() const;
  /// Buckets dropped to stay within max_keys while not yet full again.
  std::uint64_t forgiven() const { return forgiven_.load(std::memory_order_relaxed); }

 private:
  struct Shard;
  std::uint64_t KeyOf(const Check& check) const;
  void MakeRoom(Shard& shard, std::int64_t now_ms);

  LocalLimiterOptions options_;
  std::size_t keys_per_shard_;
  unsigned char hash_key_[16];
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> forgiven_{0};
};

}  // namespace minitok::ratelimit
