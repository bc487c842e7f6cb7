#include "libs/ratelimit/local_limiter.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

namespace minitok::ratelimit {

std::int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct LocalLimiter::Shard {
  std::mutex mutex;
  /// Keyed hash of (limit, subject) -> when the bucket is full again.
  boost::unordered_flat_map<std::uint64_t, std::int64_t> full_at;
};

LocalLimiter::LocalLimiter(LocalLimiterOptions options)
    : options_(std::move(options)),
      keys_per_shard_(std::max<std::size_t>(4, options_.max_keys / std::max<std::size_t>(1, options_.shards))) {
  // A keyed hash, so that nobody can choose a username whose bucket collides with another's.
  if (sodium_init() < 0) std::abort();
  randombytes_buf(hash_key_, sizeof hash_key_);
  static_assert(sizeof hash_key_ == crypto_shorthash_KEYBYTES);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.shards); ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

LocalLimiter::~LocalLimiter() = default;

std::uint64_t LocalLimiter::KeyOf(const Check& check) const {
  // Limit and subject hashed as one text; on the stack unless a subject is unusually long.
  const std::size_t size = check.limit.size() + 1 + check.subject.size();
  boost::container::small_vector<unsigned char, 128> text(size);
  std::memcpy(text.data(), check.limit.data(), check.limit.size());
  text[check.limit.size()] = '\0';
  std::memcpy(text.data() + check.limit.size() + 1, check.subject.data(), check.subject.size());
  unsigned char digest[crypto_shorthash_BYTES];
  crypto_shorthash(digest, text.data(), size, hash_key_);
  std::uint64_t key = 0;
  for (const unsigned char byte : digest) key = (key << 8) | byte;
  return key;
}

Verdict LocalLimiter::DecideNow(std::span<const Check> checks) {
  // Lock every shard involved, in index order, so that "all or nothing" holds across shards. A
  // request has one or two checks: no heap allocation for them.
  boost::container::small_vector<std::uint64_t, 4> keys;
  boost::container::small_vector<std::size_t, 4> shard_of;
  for (const Check& check : checks) {
    keys.push_back(KeyOf(check));
    shard_of.push_back(keys.back() % shards_.size());
  }
  boost::container::small_vector<std::size_t, 4> order = shard_of;
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  boost::container::small_vector<std::unique_lock<std::mutex>, 4> locks;
  for (const std::size_t index : order) locks.emplace_back(shards_[index]->mutex);

  const std::int64_t now = options_.now_ms();
  const auto full_at_of = [&](std::size_t i) -> std::int64_t {
    const auto& map = shards_[shard_of[i]]->full_at;
    const auto it = map.find(keys[i]);
    return it == map.end() ? now : it->second;
  };
  Verdict verdict;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const BucketDecision decision = Peek(checks[i].rule, full_at_of(i), now, checks[i].cost);
    if (!decision.allowed && (verdict.allowed || decision.retry_after_ms > verdict.retry_after_ms)) {
      verdict = {.allowed = false, .retry_after_ms = decision.retry_after_ms, .refused_check = i};
    }
  }
  if (!verdict.allowed) return verdict;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (checks[i].cost == 0) continue;
    Shard& shard = *shards_[shard_of[i]];
    const std::int64_t full_at = Take(checks[i].rule, full_at_of(i), now, checks[i].cost);
    if (const auto it = shard.full_at.find(keys[i]); it != shard.full_at.end()) {
      it->second = full_at;
      continue;
    }
    if (full_at <= now) continue;  // full: the same as absent
    if (shard.full_at.size() >= keys_per_shard_) MakeRoom(shard, now);
    shard.full_at.emplace(keys[i], full_at);
  }
  return verdict;
}

void LocalLimiter::MakeRoom(Shard& shard, std::int64_t now_ms) {
  // Idle buckets are full again: dropping them changes nothing.
  boost::unordered::erase_if(shard.full_at, [now_ms](const auto& entry) { return entry.second <= now_ms; });
  const std::size_t target = keys_per_shard_ * 3 / 4;
  if (shard.full_at.size() <= target) return;
  // Still crowded (a flood of distinct keys): forgive the buckets closest to full.
  std::vector<std::int64_t> full_at;
  full_at.reserve(shard.full_at.size());
  for (const auto& entry : shard.full_at) full_at.push_back(entry.second);
  const std::size_t excess = shard.full_at.size() - target;
  std::nth_element(full_at.begin(), full_at.begin() + static_cast<std::ptrdiff_t>(excess - 1), full_at.end());
  const std::int64_t threshold = full_at[excess - 1];
  std::size_t dropped = 0;
  boost::unordered::erase_if(shard.full_at, [&](const auto& entry) {
    if (dropped >= excess || entry.second > threshold) return false;
    ++dropped;
    return true;
  });
  forgiven_.fetch_add(dropped, std::memory_order_relaxed);
}

std::size_t LocalLimiter::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    const std::lock_guard lock(shard->mutex);
    total += shard->full_at.size();
  }
  return total;
}

}  // namespace minitok::ratelimit
