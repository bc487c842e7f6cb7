#pragma once
// The favorite service: likes, and the counters they drive (per video, per liker, per author).

#include <cstdint>
#include <span>
#include <vector>

#include "libs/core/page.h"
#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::favorite {

struct VideoFavoriteStats {
  std::int64_t video_id = 0;
  std::int64_t favorite_count = 0;
  bool is_favorite = false;  ///< whether the viewer likes it
};

struct UserFavoriteStats {
  std::int64_t user_id = 0;
  std::int64_t favorite_count = 0;   ///< videos this user likes
  std::int64_t total_favorited = 0;  ///< likes this user's videos received
};

class FavoriteService {
 public:
  virtual ~FavoriteService() = default;
  /// Idempotent; kNotFound for a video that does not exist.
  virtual Status Like(std::int64_t user_id, std::int64_t video_id) = 0;
  virtual Status Unlike(std::int64_t user_id, std::int64_t video_id) = 0;
  /// Video ids the user liked, most recent like first.
  virtual Result<std::vector<std::int64_t>> ListLikedVideos(std::int64_t user_id, Page page) = 0;
  /// One entry per id asked, in the order asked. `viewer` 0 = anonymous.
  virtual Result<std::vector<VideoFavoriteStats>> GetVideoStats(std::span<const std::int64_t> video_ids,
                                                                std::int64_t viewer) = 0;
  /// One entry per id asked, in the order asked.
  virtual Result<std::vector<UserFavoriteStats>> GetUserStats(std::span<const std::int64_t> user_ids) = 0;

  // The Start forms begin a lookup and collect it later, so that a caller can have several
  // services' lookups in flight at once; here they answer at once, a remote client overrides them.
  virtual Pending<std::vector<VideoFavoriteStats>> StartGetVideoStats(std::span<const std::int64_t> video_ids,
                                                                      std::int64_t viewer) {
    return GetVideoStats(video_ids, viewer);
  }
  virtual Pending<std::vector<UserFavoriteStats>> StartGetUserStats(std::span<const std::int64_t> user_ids) {
    return GetUserStats(user_ids);
  }
  virtual Pending<void> StartLike(std::int64_t user_id, std::int64_t video_id) { return Like(user_id, video_id); }
  virtual Pending<void> StartUnlike(std::int64_t user_id, std::int64_t video_id) { return Unlike(user_id, video_id); }
};

}  // namespace minitok::favorite
