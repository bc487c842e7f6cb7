#pragma once
// Caching, per owner, the set of ids it points at (the videos a viewer likes, the users a viewer
// follows), so that "which of these 30 does the viewer like?" is answered without a read
// transaction. A set is kept whole while it is small; an owner with more ids is asked the
// database for each batch instead (remembered as such until its next change).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "libs/cache/keyed_cache.h"
#include "libs/core/result.h"

namespace minitok::cache {

class IdSetCache {
 public:
  /// All of the owner's ids, at most `limit` of them (any order).
  using ReadAll = std::function<Result<std::vector<std::int64_t>>(std::int64_t owner, std::int64_t limit)>;
  /// The owner's ids among `ids` (any order).
  using ReadAmong =
      std::function<Result<std::vector<std::int64_t>>(std::int64_t owner, std::span<const std::int64_t> ids)>;

  /// `max_ids` bounds the ids kept over all owners; `max_per_owner` the size of a set kept whole.
  IdSetCache(std::size_t max_ids, std::int64_t max_per_owner, ReadAll read_all, ReadAmong read_among);

  /// The ids of `ids` in the owner's set, sorted.
  Result<std::vector<std::int64_t>> Among(std::int64_t owner, std::span<const std::int64_t> ids);
  /// Call after a write that changed the owner's set committed.
  void Invalidate(std::int64_t owner) { sets_.Invalidate(owner); }

 private:
  /// Sorted ids; null when the owner has too many to keep.
  using IdSet = std::shared_ptr<const std::vector<std::int64_t>>;

  KeyedCache<IdSet> sets_;
  std::int64_t max_per_owner_;
  ReadAll read_all_;
  ReadAmong read_among_;
};

}  // namespace minitok::cache
