#include "libs/cache/response_cache.h"

#include <functional>

namespace minitok::cache {

ResponseCache::ResponseCache(std::size_t max_entries, std::size_t shards) : shards_(std::max<std::size_t>(1, shards)) {
  SetMaxEntries(max_entries);
}

void ResponseCache::SetMaxEntries(std::size_t max_entries) {
  const std::size_t per_shard = max_entries == 0 ? 0 : std::max<std::size_t>(1, max_entries / shards_.size());
  max_per_shard_.store(per_shard, std::memory_order_relaxed);
}

ResponseCache::Shard& ResponseCache::ShardOf(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

std::shared_ptr<const std::string> ResponseCache::Get(std::string_view key, std::uint64_t version) const {
  Shard& shard = ShardOf(key);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.entries.find(std::string(key));
  if (found == shard.entries.end()) return nullptr;
  if (found->second.version != version) {
    shard.entries.erase(found);  // stale for good: versions only grow
    return nullptr;
  }
  return found->second.body;
}

void ResponseCache::Put(std::string key, std::uint64_t version, std::string body) {
  const std::size_t bound = max_per_shard_.load(std::memory_order_relaxed);
  if (bound == 0) return;
  auto shared = std::make_shared<const std::string>(std::move(body));
  Shard& shard = ShardOf(key);
  std::lock_guard lock(shard.mutex);
  while (shard.entries.size() >= bound && !shard.entries.contains(key)) {
    shard.entries.erase(shard.entries.begin());  // bounded: any entry may go
  }
  auto& entry = shard.entries[std::move(key)];
  if (entry.version <= version) entry = Entry{version, std::move(shared)};
}

}  // namespace minitok::cache
