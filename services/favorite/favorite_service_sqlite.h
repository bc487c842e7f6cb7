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
#include "services/favorite/favorite_service.h"
#include "services/video/video_service.h"

namespace minitok::favorite {

std::span<const EmbeddedFile> Migrations();

class FavoriteServiceSqlite final : public FavoriteService {
 public:
  /// `videos` answers whether a video exists and who its author is.
  /// `public_changes` (may be null) is bumped after each change that anonymous answers show, once
  /// this service's own caches have dropped what the change made stale.
  FavoriteServiceSqlite(std::unique_ptr<sql::Database> db, video::VideoService& videos, const Clock& clock,
                        cache::DataVersion* public_changes = nullptr);

  // FavoriteService
  Status Like(std::int64_t user_id, std::int64_t video_id) override;
  Status Unlike(std::int64_t user_id, std::int64_t video_id) override;
  Result<std::vector<std::int64_t>> ListLikedVideos(std::int64_t user_id, Page page) override;
  Result<std::vector<VideoFavoriteStats>> GetVideoStats(std::span<const std::int64_t> video_ids,
                                                        std::int64_t viewer) override;
  Result<std::vector<UserFavoriteStats>> GetUserStats(std::span<const std::int64_t> user_ids) override;

  /// Fills the counter caches at start (the most liked videos and authors first); returns how many.
  Result<std::size_t> WarmCaches();

 private:
  /// Drops what a like or unlike that committed changed from the caches.
  void Changed(std::int64_t liker, std::int64_t video_id, std::int64_t author);
  Result<std::vector<std::optional<UserFavoriteStats>>> ReadUserStats(std::span<const std::int64_t> user_ids);
  /// (user, stats) rows of `sql` over user_stats, with its parameters bound by `bind`.
  Result<std::vector<std::pair<std::int64_t, UserFavoriteStats>>> ReadUserStatRows(
      std::string_view sql, const std::function<void(sql::Statement&)>& bind);

  std::unique_ptr<sql::Database> db_;
  video::VideoService& videos_;
  const Clock& clock_;
  cache::DataVersion* public_changes_;
  cache::KeyedCache<std::int64_t> video_counts_;
  cache::KeyedCache<UserFavoriteStats> user_stats_;
  cache::IdSetCache liked_;  ///< per viewer: the videos they like
};

}  // namespace minitok::favorite
