#include "services/relation/relation_service_sqlite.h"

#include <algorithm>
#include <unordered_map>

#include "embedded/relation_migrations.h"

namespace minitok::relation {
namespace {

constexpr std::string_view kInsert =
    "INSERT OR IGNORE INTO follows (follower_id, followee_id, created_ms) VALUES (?, ?, ?)";
constexpr std::string_view kDelete = "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?";
constexpr std::string_view kAddFollowCount =
    "INSERT INTO user_stats (user_id, follow_count) VALUES (?1, ?2) "
    "ON CONFLICT (user_id) DO UPDATE SET follow_count = follow_count + ?2";
constexpr std::string_view kAddFollowerCount =
    "INSERT INTO user_stats (user_id, follower_count) VALUES (?1, ?2) "
    "ON CONFLICT (user_id) DO UPDATE SET follower_count = follower_count + ?2";
constexpr std::string_view kFollowing =
    "SELECT followee_id FROM follows WHERE follower_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kFollowers =
    "SELECT follower_id FROM follows WHERE followee_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kFriends =
    "SELECT f.followee_id FROM follows f JOIN follows back "
    "ON back.follower_id = f.followee_id AND back.followee_id = f.follower_id "
    "WHERE f.follower_id = ? ORDER BY MAX(f.id, back.id) DESC LIMIT ? OFFSET ?";
constexpr std::string_view kStats =
    "SELECT user_id, follow_count, follower_count FROM user_stats "
    "WHERE user_id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kMostFollowed =
    "SELECT user_id, follow_count, follower_count FROM user_stats ORDER BY follower_count DESC LIMIT ?";
constexpr std::string_view kAllViewerFollows = "SELECT followee_id FROM follows WHERE follower_id = ? LIMIT ?";
constexpr std::string_view kViewerFollows =
    "SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (SELECT value FROM json_each(?))";

// Bounds of the caches: about 48 bytes per counter entry, 8 per cached followed id.
constexpr std::size_t kCachedCounters = 200'000;
constexpr std::size_t kCachedFollowedIds = 2'000'000;
// A viewer following more users than this is asked the database for each page instead.
constexpr std::int64_t kMaxCachedFollowsPerViewer = 5'000;

Status AdjustCounters(sql::Connection& c, std::int64_t follower, std::int64_t followee, std::int64_t delta) {
  MINITOK_ASSIGN_OR_RETURN(auto follow_count, c.Prepare(kAddFollowCount));
  MINITOK_RETURN_IF_ERROR(follow_count.Bind(1, follower).Bind(2, delta).Run());
  MINITOK_ASSIGN_OR_RETURN(auto follower_count, c.Prepare(kAddFollowerCount));
  return follower_count.Bind(1, followee).Bind(2, delta).Run();
}

}  // namespace

std::span<const EmbeddedFile> Migrations() { return relation_migrations::Files(); }

RelationServiceSqlite::RelationServiceSqlite(std::unique_ptr<sql::Database> db, user::UserService& users,
                                             const Clock& clock, cache::DataVersion* public_changes)
    : db_(std::move(db)),
      users_(users),
      clock_(clock),
      public_changes_(public_changes),
      counts_(kCachedCounters),
      following_(kCachedFollowedIds, kMaxCachedFollowsPerViewer,
                 [this](std::int64_t viewer, std::int64_t limit) {
                   return sql::ReadOwnedIds(*db_, kAllViewerFollows, viewer, limit);
                 },
                 [this](std::int64_t viewer, std::span<const std::int64_t> ids) {
                   return sql::ReadOwnedIdsAmong(*db_, kViewerFollows, viewer, ids);
                 }) {}

void RelationServiceSqlite::Changed(std::int64_t follower, std::int64_t followee) {
  counts_.Invalidate(follower);
  counts_.Invalidate(followee);
  following_.Invalidate(follower);
  cache::PublicDataChanged(public_changes_);  // last: see DataVersion
}

Status RelationServiceSqlite::CheckTarget(std::int64_t user_id, std::int64_t target_id) {
  if (user_id == target_id) return MakeError(Code::kInvalidArgument, "you cannot follow yourself");
  return user::RequireUser(users_, target_id);
}

Status RelationServiceSqlite::Follow(std::int64_t user_id, std::int64_t target_id) {
  MINITOK_RETURN_IF_ERROR(CheckTarget(user_id, target_id));
  bool changed = false;
  const Status written = db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    MINITOK_RETURN_IF_ERROR(insert.Bind(1, user_id).Bind(2, target_id).Bind(3, clock_.NowMs()).Run());
    changed = c.ChangedRows() != 0;  // already following: nothing changes
    return changed ? AdjustCounters(c, user_id, target_id, +1) : Ok();
  });
  if (written.ok() && changed) Changed(user_id, target_id);
  return written;
}

Status RelationServiceSqlite::Unfollow(std::int64_t user_id, std::int64_t target_id) {
  MINITOK_RETURN_IF_ERROR(CheckTarget(user_id, target_id));
  bool changed = false;
  const Status written = db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto remove, c.Prepare(kDelete));
    MINITOK_RETURN_IF_ERROR(remove.Bind(1, user_id).Bind(2, target_id).Run());
    changed = c.ChangedRows() != 0;  // was not following: nothing changes
    return changed ? AdjustCounters(c, user_id, target_id, -1) : Ok();
  });
  if (written.ok() && changed) Changed(user_id, target_id);
  return written;
}

Result<std::vector<std::int64_t>> RelationServiceSqlite::ListIds(std::string_view sql, std::int64_t user_id,
                                                                 Page page) {
  MINITOK_RETURN_IF_ERROR(user::RequireUser(users_, user_id));
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    select.Bind(1, user_id).Bind(2, page.limit).Bind(3, page.offset);
    return sql::CollectInts(select);
  });
}

Result<std::vector<std::int64_t>> RelationServiceSqlite::ListFollowing(std::int64_t user_id, Page page) {
  return ListIds(kFollowing, user_id, page);
}

Result<std::vector<std::int64_t>> RelationServiceSqlite::ListFollowers(std::int64_t user_id, Page page) {
  return ListIds(kFollowers, user_id, page);
}

Result<std::vector<std::int64_t>> RelationServiceSqlite::ListFriends(std::int64_t user_id, Page page) {
  return ListIds(kFriends, user_id, page);
}

Result<std::vector<RelationStats>> RelationServiceSqlite::GetStats(std::span<const std::int64_t> user_ids,
                                                                   std::int64_t viewer) {
  MINITOK_ASSIGN_OR_RETURN(const auto counts,
                           cache::GetMany(counts_, user_ids, [this](auto missing) { return ReadCounts(missing); }));
  std::vector<std::int64_t> followed;
  if (viewer != 0 && !user_ids.empty()) {
    MINITOK_ASSIGN_OR_RETURN(followed, following_.Among(viewer, user_ids));
  }
  std::vector<RelationStats> stats;
  stats.reserve(user_ids.size());
  for (const auto& c : counts) {
    RelationStats s = *c;
    s.is_follow = std::binary_search(followed.begin(), followed.end(), s.user_id);
    stats.push_back(s);
  }
  return stats;
}

Result<std::size_t> RelationServiceSqlite::WarmCaches() {
  return cache::Warm(counts_, [this](std::int64_t limit) {
    return ReadCountRows(kMostFollowed, [limit](sql::Statement& s) { s.Bind(1, limit); });
  });
}

Result<std::vector<std::pair<std::int64_t, RelationStats>>> RelationServiceSqlite::ReadCountRows(
    std::string_view sql, const std::function<void(sql::Statement&)>& bind) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::pair<std::int64_t, RelationStats>>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    bind(select);
    MINITOK_ASSIGN_OR_RETURN(const auto rows, sql::CollectIntRows<3>(select));
    std::vector<std::pair<std::int64_t, RelationStats>> counts;
    counts.reserve(rows.size());
    for (const auto& [id, follows, followers] : rows) counts.emplace_back(id, RelationStats{id, follows, followers, false});
    return counts;
  });
}

Result<std::vector<std::optional<RelationStats>>> RelationServiceSqlite::ReadCounts(
    std::span<const std::int64_t> user_ids) {
  const std::string batch = sql::IdArray(user_ids);
  MINITOK_ASSIGN_OR_RETURN(auto rows,
                           ReadCountRows(kStats, [&](sql::Statement& s) { s.Bind(1, std::string_view(batch)); }));
  return cache::WithZeros(user_ids, std::move(rows), [](std::int64_t id) { return RelationStats{id, 0, 0, false}; });
}

}  // namespace minitok::relation
