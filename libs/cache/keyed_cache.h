#pragma once
// Caching objects by id inside the service that owns them (a video's like count, a profile, the
// ids a viewer follows), so that a feed page costs hash lookups instead of read transactions.
//
// The owner invalidates a key after the write that changed it commits. A reader takes a ticket
// before it reads the database and hands it to Fill(); the fill is dropped when the key's shard
// was invalidated since the ticket, so a value read before a write never lands after it.
// Eviction is two-generational: entries live in a recent and an older map; when the recent map
// reaches half the bound it becomes the older one, and a hit in the older map moves the entry
// back. Thread-safe; values are copied out (use shared_ptr for large ones).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "libs/core/result.h"

namespace minitok::cache {

template <typename Value>
class KeyedCache {
 public:
  /// Taken before reading the database for a key; see Fill().
  using Ticket = std::uint64_t;

  /// `max_weight` bounds the summed weights of the entries (one per entry unless Fill says more).
  explicit KeyedCache(std::size_t max_weight, std::size_t shards = 32)
      : half_per_shard_(std::max<std::size_t>(1, max_weight / shards / 2)), shards_(shards) {}

  std::optional<Value> Get(std::int64_t key) {
    Shard& shard = ShardOf(key);
    const std::lock_guard lock(shard.mutex);
    if (const auto it = shard.recent.find(key); it != shard.recent.end()) return it->second.value;
    const auto old = shard.older.find(key);
    if (old == shard.older.end()) return std::nullopt;
    Entry entry = std::move(old->second);
    shard.older.erase(old);
    Value value = entry.value;
    Insert(shard, key, std::move(entry));
    return value;
  }

  Ticket TicketFor(std::int64_t key) const { return ShardOf(key).generation.load(std::memory_order_acquire); }

  /// Every shard's ticket, for a fill whose keys are learnt only from the read (warming up).
  std::vector<Ticket> AllTickets() const {
    std::vector<Ticket> tickets;
    tickets.reserve(shards_.size());
    for (const Shard& shard : shards_) tickets.push_back(shard.generation.load(std::memory_order_acquire));
    return tickets;
  }
  void Fill(std::int64_t key, Value value, const std::vector<Ticket>& all_tickets, std::size_t weight = 1) {
    Fill(key, std::move(value), all_tickets[ShardIndex(key)], weight);
  }
  /// How many entries a warm-up may fill: both generations, with a tenth to spare because ids
  /// do not spread over the shards perfectly evenly. (What was filled first moves to the older
  /// generation and stays while it is used.)
  std::size_t WarmCapacity() const { return half_per_shard_ * shards_.size() * 2 * 9 / 10; }

  /// Stores `value` read from the database after `ticket` was taken, unless the key's shard was
  /// invalidated since. A value heavier than half a shard's share is not cached at all.
  void Fill(std::int64_t key, Value value, Ticket ticket, std::size_t weight = 1) {
    if (weight > half_per_shard_) return;
    Shard& shard = ShardOf(key);
    const std::lock_guard lock(shard.mutex);
    if (shard.generation.load(std::memory_order_relaxed) != ticket) return;
    EraseLocked(shard, key);
    Insert(shard, key, Entry{std::move(value), weight});
  }

  /// Call after the write that changed `key` committed.
  void Invalidate(std::int64_t key) {
    Shard& shard = ShardOf(key);
    const std::lock_guard lock(shard.mutex);
    shard.generation.fetch_add(1, std::memory_order_acq_rel);
    EraseLocked(shard, key);
  }

 private:
  struct Entry {
    Value value;
    std::size_t weight = 1;
  };
  struct Shard {
    std::mutex mutex;
    std::atomic<std::uint64_t> generation{0};
    // Open addressing: a lookup touches one cache line, not a bucket and a node.
    boost::unordered_flat_map<std::int64_t, Entry> recent;
    boost::unordered_flat_map<std::int64_t, Entry> older;
    std::size_t recent_weight = 0;
  };

  std::size_t ShardIndex(std::int64_t key) const {
    // Ids are dense integers: mix them so that neighbours spread over the shards.
    const auto mixed = static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ULL;
    return (mixed >> 32) % shards_.size();
  }
  Shard& ShardOf(std::int64_t key) const { return shards_[ShardIndex(key)]; }

  void Insert(Shard& shard, std::int64_t key, Entry entry) {
    if (shard.recent_weight + entry.weight > half_per_shard_) {
      shard.older = std::move(shard.recent);
      shard.recent.clear();
      shard.recent_weight = 0;
    }
    shard.recent_weight += entry.weight;
    shard.recent.emplace(key, std::move(entry));
  }

  static void EraseLocked(Shard& shard, std::int64_t key) {
    if (const auto it = shard.recent.find(key); it != shard.recent.end()) {
      shard.recent_weight -= it->second.weight;
      shard.recent.erase(it);
    }
    shard.older.erase(key);
  }

  std::size_t half_per_shard_;
  mutable std::vector<Shard> shards_;
};

/// The values of `ids` (one per id, in order), from `cache` where present; the missing ones are
/// read with one call of `load(missing_ids)`, which answers one value per id it was given and
/// fills the cache. A load may answer std::optional values: nullopt (e.g. no such row) is passed
/// on and not cached.
template <typename Value, typename Load>
Result<std::vector<std::optional<Value>>> GetMany(KeyedCache<Value>& cache, std::span<const std::int64_t> ids,
                                                   Load&& load) {
  std::vector<std::optional<Value>> values(ids.size());
  std::vector<std::int64_t> missing;
  std::vector<std::size_t> positions;
  std::vector<typename KeyedCache<Value>::Ticket> tickets;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    values[i] = cache.Get(ids[i]);
    if (!values[i]) {
      missing.push_back(ids[i]);
      positions.push_back(i);
      tickets.push_back(cache.TicketFor(ids[i]));
    }
  }
  if (missing.empty()) return values;
  auto loaded = load(std::span<const std::int64_t>(missing));
  if (!loaded.ok()) return loaded.error();
  if (loaded->size() != missing.size()) return MakeError(Code::kInternal, "cache load answered the wrong count");
  for (std::size_t j = 0; j < missing.size(); ++j) {
    auto& value = (*loaded)[j];
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Value>) {
      cache.Fill(missing[j], value, tickets[j]);
      values[positions[j]] = std::move(value);
    } else {
      if (value) cache.Fill(missing[j], *value, tickets[j]);
      values[positions[j]] = std::move(value);
    }
  }
  return values;
}

/// The values that exist, in order (GetMany answers nullopt for ids without a row).
template <typename Value>
std::vector<Value> Present(std::vector<std::optional<Value>> values) {
  std::vector<Value> present;
  present.reserve(values.size());
  for (auto& value : values) {
    if (value) present.push_back(std::move(*value));
  }
  return present;
}

/// Rows of a batched read lined up with the ids asked: one entry per id, in order; nullopt where
/// no row has that id. `id_of(row)` names a row's id.
template <typename Row, typename IdOf>
std::vector<std::optional<Row>> AlignToIds(std::span<const std::int64_t> ids, std::vector<Row> rows, IdOf&& id_of) {
  std::vector<std::optional<Row>> aligned(ids.size());
  for (auto& row : rows) {
    const auto at = std::find(ids.begin(), ids.end(), id_of(row));
    if (at != ids.end()) aligned[static_cast<std::size_t>(at - ids.begin())] = std::move(row);
  }
  return aligned;
}

/// Counter rows of a batched read, one value per id asked, in order: an id without a row gets
/// `zero(id)` (nothing counted yet, which is as worth caching as any count).
template <typename Value, typename Zero>
std::vector<std::optional<Value>> WithZeros(std::span<const std::int64_t> ids,
                                            std::vector<std::pair<std::int64_t, Value>> rows, Zero&& zero) {
  const auto aligned = AlignToIds(ids, std::move(rows), [](const auto& row) { return row.first; });
  std::vector<std::optional<Value>> values;
  values.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) values.emplace_back(aligned[i] ? aligned[i]->second : zero(ids[i]));
  return values;
}

/// Fills `cache` at start with what `read(limit)` answers as (key, value) pairs, at most as many
/// as it holds without evicting them again; returns how many. Writes committed meanwhile win
/// (the fill uses tickets taken before the read).
template <typename Value, typename Read>
Result<std::size_t> Warm(KeyedCache<Value>& cache, Read&& read) {
  const auto tickets = cache.AllTickets();
  auto rows = read(static_cast<std::int64_t>(cache.WarmCapacity()));
  if (!rows.ok()) return rows.error();
  for (auto& [key, value] : *rows) cache.Fill(key, std::move(value), tickets);
  return rows->size();
}

}  // namespace minitok::cache
