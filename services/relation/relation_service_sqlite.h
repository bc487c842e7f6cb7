#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "libs/cache/id_set_cache.h"
#include "libs/cache/data_version.h"
#include "libs/cache/keyed_cache.h"
#include "libs/core/clock.h"
#include "libs/sql/sqlite.h"
#include "services/relation/relation_service.h"
#include "services/user/user_service.h"

namespace minitok::relation {

std::span<const EmbeddedFile> Migrations();

class RelationServiceSqlite final : public RelationService {
 public:
  /// `users` answers whether a user exists.
  /// `public_changes` (may be null) is bumped after each change that anonymous answers show, once
  /// this service's own caches have dropped what the change made stale.
  RelationServiceSqlite(std::unique_ptr<sql::Database> db, user::UserService& users, const Clock& clock,
                        cache::DataVersion* public_changes = nullptr);

  // RelationService
  Status Follow(std::int64_t user_id, std::int64_t target_id) override;
  Status Unfollow(std::int64_t user_id, std::int64_t target_id) override;
  Result<std::vector<std::int64_t>> ListFollowing(std::int64_t user_id, Page page) override;
  Result<std::vector<std::int64_t>> ListFollowers(std::int64_t user_id, Page page) override;
  Result<std::vector<std::int64_t>> ListFriends(std::int64_t user_id, Page page) override;
  Result<std::vector<RelationStats>> GetStats(std::span<const std::int64_t> user_ids,
                                              std::int64_t viewer) override;

  /// Fills the counter cache at start (the most followed users first); returns how many.
  Result<std::size_t> WarmCaches();

 private:
  Status CheckTarget(std::int64_t user_id, std::int64_t target_id);
  Result<std::vector<std::int64_t>> ListIds(std::string_view sql, std::int64_t user_id, Page page);
  /// Drops what a follow or unfollow that committed changed from the caches.
  void Changed(std::int64_t follower, std::int64_t followee);
  Result<std::vector<std::optional<RelationStats>>> ReadCounts(std::span<const std::int64_t> user_ids);
  /// (user, counts) rows of `sql` over user_stats, with its parameters bound by `bind`.
  Result<std::vector<std::pair<std::int64_t, RelationStats>>> ReadCountRows(
      std::string_view sql, const std::function<void(sql::Statement&)>& bind);

  std::unique_ptr<sql::Database> db_;
  user::UserService& users_;
  const Clock& clock_;
  cache::DataVersion* public_changes_;
  cache::KeyedCache<RelationStats> counts_;  ///< is_follow is not part of what it keeps
  cache::IdSetCache following_;              ///< per viewer: the users they follow
};

}  // namespace minitok::relation
