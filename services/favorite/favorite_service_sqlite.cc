#include "services/favorite/favorite_service_sqlite.h"

#include <algorithm>
#include <unordered_map>

#include "embedded/favorite_migrations.h"

namespace minitok::favorite {
namespace {

constexpr std::string_view kInsertLike =
    "INSERT OR IGNORE INTO likes (user_id, video_id, author_id, created_ms) VALUES (?, ?, ?, ?)";
constexpr std::string_view kDeleteLike =
    "DELETE FROM likes WHERE user_id = ? AND video_id = ? RETURNING author_id";
constexpr std::string_view kAddVideoCount =
    "INSERT INTO video_stats (video_id, favorite_count) VALUES (?1, ?2) "
    "ON CONFLICT (video_id) DO UPDATE SET favorite_count = favorite_count + ?2";
constexpr std::string_view kAddLikerCount =
    "INSERT INTO user_stats (user_id, favorite_count) VALUES (?1, ?2) "
    "ON CONFLICT (user_id) DO UPDATE SET favorite_count = favorite_count + ?2";
constexpr std::string_view kAddAuthorCount =
    "INSERT INTO user_stats (user_id, total_favorited) VALUES (?1, ?2) "
    "ON CONFLICT (user_id) DO UPDATE SET total_favorited = total_favorited + ?2";
constexpr std::string_view kListLiked =
    "SELECT video_id FROM likes WHERE user_id = ? ORDER BY created_ms DESC, video_id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kVideoCounts =
    "SELECT video_id, favorite_count FROM video_stats "
    "WHERE video_id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kViewerLikes =
    "SELECT video_id FROM likes WHERE user_id = ? AND video_id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kUserCounts =
    "SELECT user_id, favorite_count, total_favorited FROM user_stats "
    "WHERE user_id IN (SELECT value FROM json_each(?))";

/// Applies +delta to the three counters a like drives, in the caller's transaction.
Status AdjustCounters(sql::Connection& c, std::int64_t liker, std::int64_t video_id, std::int64_t author,
                      std::int64_t delta) {
  MINITOK_ASSIGN_OR_RETURN(auto video_count, c.Prepare(kAddVideoCount));
  MINITOK_RETURN_IF_ERROR(video_count.Bind(1, video_id).Bind(2, delta).Run());
  MINITOK_ASSIGN_OR_RETURN(auto liker_count, c.Prepare(kAddLikerCount));
  MINITOK_RETURN_IF_ERROR(liker_count.Bind(1, liker).Bind(2, delta).Run());
  MINITOK_ASSIGN_OR_RETURN(auto author_count, c.Prepare(kAddAuthorCount));
  return author_count.Bind(1, author).Bind(2, delta).Run();
}

}  // namespace

std::span<const EmbeddedFile> Migrations() { return favorite_migrations::Files(); }

FavoriteServiceSqlite::FavoriteServiceSqlite(std::unique_ptr<sql::Database> db, video::VideoService& videos,
                                             const Clock& clock)
    : db_(std::move(db)), videos_(videos), clock_(clock) {}

Status FavoriteServiceSqlite::Like(std::int64_t user_id, std::int64_t video_id) {
  MINITOK_ASSIGN_OR_RETURN(const auto video, video::FindVisibleVideo(videos_, video_id));
  const std::int64_t author = video.author_id;
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsertLike));
    MINITOK_RETURN_IF_ERROR(insert.Bind(1, user_id).Bind(2, video_id).Bind(3, author).Bind(4, clock_.NowMs()).Run());
    if (c.ChangedRows() == 0) return Ok();  // already liked: nothing changes
    return AdjustCounters(c, user_id, video_id, author, +1);
  });
}

Status FavoriteServiceSqlite::Unlike(std::int64_t user_id, std::int64_t video_id) {
  MINITOK_RETURN_IF_ERROR(video::FindVisibleVideo(videos_, video_id));
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto remove, c.Prepare(kDeleteLike));
    remove.Bind(1, user_id).Bind(2, video_id);
    MINITOK_ASSIGN_OR_RETURN(const bool removed, remove.Step());
    if (!removed) return Ok();  // was not liked: nothing changes
    const std::int64_t author = remove.ColumnInt(0);
    MINITOK_ASSIGN_OR_RETURN(const bool more, remove.Step());
    (void)more;
    return AdjustCounters(c, user_id, video_id, author, -1);
  });
}

Result<std::vector<std::int64_t>> FavoriteServiceSqlite::ListLikedVideos(std::int64_t user_id, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kListLiked));
    select.Bind(1, user_id).Bind(2, page.limit).Bind(3, page.offset);
    return sql::CollectInts(select);
  });
}

Result<std::vector<VideoFavoriteStats>> FavoriteServiceSqlite::GetVideoStats(
    std::span<const std::int64_t> video_ids, std::int64_t viewer) {
  std::vector<VideoFavoriteStats> stats;
  stats.reserve(video_ids.size());
  for (const auto id : video_ids) stats.push_back({id, 0, false});
  if (video_ids.empty()) return stats;
  const std::string batch = sql::IdArray(video_ids);
  MINITOK_RETURN_IF_ERROR(db_->Read([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kVideoCounts));
    select.Bind(1, std::string_view(batch));
    MINITOK_ASSIGN_OR_RETURN(const auto counts, sql::CollectIntMap(select));
    std::vector<std::int64_t> liked;
    if (viewer != 0) {
      MINITOK_ASSIGN_OR_RETURN(auto likes, c.Prepare(kViewerLikes));
      likes.Bind(1, viewer).Bind(2, std::string_view(batch));
      MINITOK_ASSIGN_OR_RETURN(liked, sql::CollectInts(likes));
    }
    for (auto& s : stats) {
      if (const auto it = counts.find(s.video_id); it != counts.end()) s.favorite_count = it->second;
      s.is_favorite = std::find(liked.begin(), liked.end(), s.video_id) != liked.end();
    }
    return Ok();
  }));
  return stats;
}

Result<std::vector<UserFavoriteStats>> FavoriteServiceSqlite::GetUserStats(std::span<const std::int64_t> user_ids) {
  std::vector<UserFavoriteStats> stats;
  stats.reserve(user_ids.size());
  for (const auto id : user_ids) stats.push_back({id, 0, 0});
  if (user_ids.empty()) return stats;
  const std::string batch = sql::IdArray(user_ids);
  MINITOK_RETURN_IF_ERROR(db_->Read([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kUserCounts));
    select.Bind(1, std::string_view(batch));
    std::unordered_map<std::int64_t, std::pair<std::int64_t, std::int64_t>> found;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) break;
      found[select.ColumnInt(0)] = {select.ColumnInt(1), select.ColumnInt(2)};
    }
    for (auto& s : stats) {
      if (const auto it = found.find(s.user_id); it != found.end()) {
        s.favorite_count = it->second.first;
        s.total_favorited = it->second.second;
      }
    }
    return Ok();
  }));
  return stats;
}

}  // namespace minitok::favorite
