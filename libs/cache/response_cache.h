#pragma once
// Caching whole API answers that are the same for every anonymous client (the public feed, a
// user's public lists). Correct invalidation is by data version (data_version.h): an entry is
// served only while the version it was computed at is current, and an answer computed across a
// change is never served (it records the version it started at).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minitok::cache {

/// A bounded, sharded map from request keys to answer bodies, each tagged with the data version
/// it was computed at. Thread-safe; no lock is held while a body is built or copied out.
class ResponseCache {
 public:
  /// `max_entries` 0 keeps nothing.
  explicit ResponseCache(std::size_t max_entries, std::size_t shards = 16);

  /// A new bound, while serving: a smaller one is reached as entries are stored (each store
  /// evicts down to it), 0 stops storing. Thread-safe.
  void SetMaxEntries(std::size_t max_entries);

  /// The body stored under `key` if it was computed at `version`.
  std::shared_ptr<const std::string> Get(std::string_view key, std::uint64_t version) const;
  /// Stores `body` as computed at `version` (which must be the version read before computing).
  void Put(std::string key, std::uint64_t version, std::string body);

 private:
  struct Entry {
    std::uint64_t version = 0;
    std::shared_ptr<const std::string> body;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& ShardOf(std::string_view key) const;

  std::atomic<std::size_t> max_per_shard_{0};
  mutable std::vector<Shard> shards_;
};

}  // namespace minitok::cache
