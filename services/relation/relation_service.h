#pragma once
// The relation service: follows, and follow/follower counters.

#include <cstdint>
#include <span>
#include <vector>

#include "libs/core/page.h"
#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::relation {

struct RelationStats {
  std::int64_t user_id = 0;
  std::int64_t follow_count = 0;
  std::int64_t follower_count = 0;
  bool is_follow = false;  ///< whether the viewer follows this user
};

class RelationService {
 public:
  virtual ~RelationService() = default;
  /// Idempotent; kInvalidArgument for yourself, kNotFound for an unknown user.
  virtual Status Follow(std::int64_t user_id, std::int64_t target_id) = 0;
  virtual Status Unfollow(std::int64_t user_id, std::int64_t target_id) = 0;
  /// Most recent relation first; kNotFound for an unknown user.
  virtual Result<std::vector<std::int64_t>> ListFollowing(std::int64_t user_id, Page page) = 0;
  virtual Result<std::vector<std::int64_t>> ListFollowers(std::int64_t user_id, Page page) = 0;
  /// Mutual follows.
  virtual Result<std::vector<std::int64_t>> ListFriends(std::int64_t user_id, Page page) = 0;
  /// One entry per id asked, in the order asked. `viewer` 0 = anonymous.
  virtual Result<std::vector<RelationStats>> GetStats(std::span<const std::int64_t> user_ids,
                                                      std::int64_t viewer) = 0;

  // The Start forms begin a lookup and collect it later, so that a caller can have several
  // services' lookups in flight at once; here they answer at once, a remote client overrides them.
  virtual Pending<std::vector<RelationStats>> StartGetStats(std::span<const std::int64_t> user_ids,
                                                            std::int64_t viewer) {
    return GetStats(user_ids, viewer);
  }
};

}  // namespace minitok::relation
