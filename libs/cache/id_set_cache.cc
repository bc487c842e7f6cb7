#include "libs/cache/id_set_cache.h"

#include <algorithm>

namespace minitok::cache {

IdSetCache::IdSetCache(std::size_t max_ids, std::int64_t max_per_owner, ReadAll read_all, ReadAmong read_among)
    : sets_(max_ids), max_per_owner_(max_per_owner), read_all_(std::move(read_all)), read_among_(std::move(read_among)) {}

Result<std::vector<std::int64_t>> IdSetCache::Among(std::int64_t owner, std::span<const std::int64_t> ids) {
  std::optional<IdSet> set = sets_.Get(owner);
  if (!set) {
    const auto ticket = sets_.TicketFor(owner);
    MINITOK_ASSIGN_OR_RETURN(auto all, read_all_(owner, max_per_owner_ + 1));
    if (static_cast<std::int64_t>(all.size()) > max_per_owner_) {
      set = IdSet();
    } else {
      std::sort(all.begin(), all.end());
      set = std::make_shared<const std::vector<std::int64_t>>(std::move(all));
    }
    sets_.Fill(owner, *set, ticket, *set != nullptr ? (*set)->size() + 1 : 1);
  }
  std::vector<std::int64_t> found;
  if (*set != nullptr) {
    for (const auto id : ids) {
      if (std::binary_search((*set)->begin(), (*set)->end(), id)) found.push_back(id);
    }
  } else {
    MINITOK_ASSIGN_OR_RETURN(found, read_among_(owner, ids));
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace minitok::cache
