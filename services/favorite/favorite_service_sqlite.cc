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
constexpr std::string_view kAllViewerLikes = "SELECT video_id FROM likes WHERE user_id = ? LIMIT ?";
constexpr std::string_view kMostLikedVideos =
    "SELECT video_id, favorite_count FROM video_stats ORDER BY favorite_count DESC LIMIT ?";
constexpr std::string_view kMostLikedAuthors =
    "SELECT user_id, favorite_count, total_favorited FROM user_stats ORDER BY total_favorited DESC LIMIT ?";
constexpr std::string_view kUserCounts =
    "SELECT user_id, favorite_count, total_favorited FROM user_stats "
    "WHERE user_id IN (SELECT value FROM json_each(?))";

// Bounds of the caches: about 40 bytes per counter entry, 8 per cached liked id.
constexpr std::size_t kCachedCounters = 200'000;
constexpr std::size_t kCachedLikedIds = 2'000'000;
// A viewer who liked more videos than this is asked the database for each page instead.
constexpr std::int64_t kMaxCachedLikesPerViewer = 5'000;

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
                                             const Clock& clock, cache::DataVersion* public_changes)
    : db_(std::move(db)),
      videos_(videos),
      clock_(clock),
      public_changes_(public_changes),
      video_counts_(kCachedCounters),
      user_stats_(kCachedCounters),
      liked_(kCachedLikedIds, kMaxCachedLikesPerViewer,
             [this](std::int64_t viewer, std::int64_t limit) {
               return sql::ReadOwnedIds(*db_, kAllViewerLikes, viewer, limit);
             },
             [this](std::int64_t viewer, std::span<const std::int64_t> ids) {
               return sql::ReadOwnedIdsAmong(*db_, kViewerLikes, viewer, ids);
             }) {}

void FavoriteServiceSqlite::Changed(std::int64_t liker, std::int64_t video_id, std::int64_t author) {
  video_counts_.Invalidate(video_id);
  user_stats_.Invalidate(liker);
  user_stats_.Invalidate(author);
  liked_.Invalidate(liker);
  cache::PublicDataChanged(public_changes_);  // last: see DataVersion
}

Status FavoriteServiceSqlite::Like(std::int64_t user_id, std::int64_t video_id) {
  MINITOK_ASSIGN_OR_RETURN(const auto video, video::FindVisibleVideo(videos_, video_id));
  const std::int64_t author = video.author_id;
  bool changed = false;
  const Status written = db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsertLike));
    MINITOK_RETURN_IF_ERROR(insert.Bind(1, user_id).Bind(2, video_id).Bind(3, author).Bind(4, clock_.NowMs()).Run());
    changed = c.ChangedRows() != 0;  // already liked: nothing changes
    return changed ? AdjustCounters(c, user_id, video_id, author, +1) : Ok();
  });
  if (written.ok() && changed) Changed(user_id, video_id, author);
  return written;
}

Status FavoriteServiceSqlite::Unlike(std::int64_t user_id, std::int64_t video_id) {
  MINITOK_RETURN_IF_ERROR(video::FindVisibleVideo(videos_, video_id));
  std::optional<std::int64_t> author;
  const Status written = db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto remove, c.Prepare(kDeleteLike));
    remove.Bind(1, user_id).Bind(2, video_id);
    MINITOK_ASSIGN_OR_RETURN(const bool removed, remove.Step());
    if (!removed) return Ok();  // was not liked: nothing changes
    author = remove.ColumnInt(0);
    MINITOK_ASSIGN_OR_RETURN(const bool more, remove.Step());
    (void)more;
    return AdjustCounters(c, user_id, video_id, *author, -1);
  });
  if (written.ok() && author) Changed(user_id, video_id, *author);
  return written;
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
  MINITOK_ASSIGN_OR_RETURN(const auto counts,
                           cache::GetMany(video_counts_, video_ids, [this](auto missing) { return sql::ReadCounts(*db_, kVideoCounts, missing); }));
  std::vector<VideoFavoriteStats> stats;
  stats.reserve(video_ids.size());
  for (std::size_t i = 0; i < video_ids.size(); ++i) stats.push_back({video_ids[i], counts[i].value_or(0), false});
  if (viewer == 0 || video_ids.empty()) return stats;
  MINITOK_ASSIGN_OR_RETURN(const auto liked, liked_.Among(viewer, video_ids));
  for (auto& s : stats) s.is_favorite = std::binary_search(liked.begin(), liked.end(), s.video_id);
  return stats;
}

Result<std::size_t> FavoriteServiceSqlite::WarmCaches() {
  MINITOK_ASSIGN_OR_RETURN(const std::size_t videos, cache::Warm(video_counts_, [this](std::int64_t limit) {
                             return sql::ReadIntPairs(*db_, kMostLikedVideos, limit);
                           }));
  MINITOK_ASSIGN_OR_RETURN(const std::size_t users, cache::Warm(user_stats_, [this](std::int64_t limit) {
    return ReadUserStatRows(kMostLikedAuthors, [limit](sql::Statement& s) { s.Bind(1, limit); });
  }));
  return videos + users;
}

Result<std::vector<std::pair<std::int64_t, UserFavoriteStats>>> FavoriteServiceSqlite::ReadUserStatRows(
    std::string_view sql, const std::function<void(sql::Statement&)>& bind) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::pair<std::int64_t, UserFavoriteStats>>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    bind(select);
    MINITOK_ASSIGN_OR_RETURN(const auto rows, sql::CollectIntRows<3>(select));
    std::vector<std::pair<std::int64_t, UserFavoriteStats>> stats;
    stats.reserve(rows.size());
    for (const auto& [id, favorites, favorited] : rows) stats.emplace_back(id, UserFavoriteStats{id, favorites, favorited});
    return stats;
  });
}

Result<std::vector<std::optional<UserFavoriteStats>>> FavoriteServiceSqlite::ReadUserStats(
    std::span<const std::int64_t> user_ids) {
  const std::string batch = sql::IdArray(user_ids);
  MINITOK_ASSIGN_OR_RETURN(auto rows,
                           ReadUserStatRows(kUserCounts, [&](sql::Statement& s) { s.Bind(1, std::string_view(batch)); }));
  return cache::WithZeros(user_ids, std::move(rows), [](std::int64_t id) { return UserFavoriteStats{id, 0, 0}; });
}

Result<std::vector<UserFavoriteStats>> FavoriteServiceSqlite::GetUserStats(std::span<const std::int64_t> user_ids) {
  MINITOK_ASSIGN_OR_RETURN(const auto found,
                           cache::GetMany(user_stats_, user_ids, [this](auto missing) { return ReadUserStats(missing); }));
  std::vector<UserFavoriteStats> stats;
  stats.reserve(found.size());
  for (auto& s : found) stats.push_back(*s);
  return stats;
}

}  // namespace minitok::favorite
