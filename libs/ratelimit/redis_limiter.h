#pragma once
// Token buckets in Redis, so that a limit holds for every gateway of a cluster. Each check is one
// atomic script (EVALSHA) that reads, decides and takes for all of a request's buckets, on Redis's
// own clock. One thread talks to Redis and pipelines whatever requests are waiting, so a check
// costs the event loop no blocking and a burst of requests costs one round trip.
// When Redis cannot be reached, the gateway's own buckets decide (logged and counted), and the
// thread reconnects by itself every second.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "libs/core/result.h"
#include "libs/log/logger.h"
#include "libs/ratelimit/limiter.h"
#include "libs/ratelimit/local_limiter.h"

namespace minitok::ratelimit {

struct RedisEndpoint {
  std::string host;  ///< empty for a unix socket
  int port = 6379;
  std::string unix_path;

  std::string ToString() const;
};

/// `redis://HOST[:PORT]` (IPv6 hosts in brackets) or `unix:///path/to/redis.sock`.
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

struct RedisLimiterOptions {
  RedisEndpoint endpoint;
  /// Prefix of every bucket key, e.g. "minitok:rl:".
  std::string key_prefix = "minitok:rl:";
  /// Connecting and each round trip give up after this; the batch is then decided locally.
  std::chrono::milliseconds timeout{500};
  std::chrono::milliseconds reconnect_every{1000};
};

class RedisLimiter final : public Limiter {
 public:
  /// Starts the Redis thread; `fallback` decides while Redis is unreachable.
  RedisLimiter(RedisLimiterOptions options, LocalLimiter& fallback, log::Logger& logger);
  ~RedisLimiter() override;
  RedisLimiter(const RedisLimiter&) = delete;
  RedisLimiter& operator=(const RedisLimiter&) = delete;

  /// At once only while Redis is unreachable (then by the local buckets).
  std::optional<Verdict> TryDecide(std::span<const Check> checks) override;
  void DecideLater(std::vector<Check> checks, VerdictCallback later) override;

  bool connected() const { return connected_.load(std::memory_order_acquire); }
  /// Checks decided by the local buckets because Redis was unreachable.
  std::uint64_t decided_locally() const { return decided_locally_.load(std::memory_order_relaxed); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> decided_locally_{0};
};

}  // namespace minitok::ratelimit
