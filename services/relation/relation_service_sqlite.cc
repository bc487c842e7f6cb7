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
constexpr std::string_view kViewerFollows =
    "SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (SELECT value FROM json_each(?))";

Status AdjustCounters(sql::Connection& c, std::int64_t follower, std::int64_t followee, std::int64_t delta) {
  MINITOK_ASSIGN_OR_RETURN(auto follow_count, c.Prepare(kAddFollowCount));
  MINITOK_RETURN_IF_ERROR(follow_count.Bind(1, follower).Bind(2, delta).Run());
  MINITOK_ASSIGN_OR_RETURN(auto follower_count, c.Prepare(kAddFollowerCount));
  return follower_count.Bind(1, followee).Bind(2, delta).Run();
}

}  // namespace

std::span<const EmbeddedFile> Migrations() { return relation_migrations::Files(); }

RelationServiceSqlite::RelationServiceSqlite(std::unique_ptr<sql::Database> db, user::UserService& users,
                                             const Clock& clock)
    : db_(std::move(db)), users_(users), clock_(clock) {}

Status RelationServiceSqlite::CheckTarget(std::int64_t user_id, std::int64_t target_id) {
  if (user_id == target_id) return MakeError(Code::kInvalidArgument, "you cannot follow yourself");
  return user::RequireUser(users_, target_id);
}

Status RelationServiceSqlite::Follow(std::int64_t user_id, std::int64_t target_id) {
  MINITOK_RETURN_IF_ERROR(CheckTarget(user_id, target_id));
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    MINITOK_RETURN_IF_ERROR(insert.Bind(1, user_id).Bind(2, target_id).Bind(3, clock_.NowMs()).Run());
    if (c.ChangedRows() == 0) return Ok();  // already following
    return AdjustCounters(c, user_id, target_id, +1);
  });
}

Status RelationServiceSqlite::Unfollow(std::int64_t user_id, std::int64_t target_id) {
  MINITOK_RETURN_IF_ERROR(CheckTarget(user_id, target_id));
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto remove, c.Prepare(kDelete));
    MINITOK_RETURN_IF_ERROR(remove.Bind(1, user_id).Bind(2, target_id).Run());
    if (c.ChangedRows() == 0) return Ok();  // was not following
    return AdjustCounters(c, user_id, target_id, -1);
  });
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
  std::vector<RelationStats> stats;
  stats.reserve(user_ids.size());
  for (const auto id : user_ids) stats.push_back({id, 0, 0, false});
  if (user_ids.empty()) return stats;
  const std::string batch = sql::IdArray(user_ids);
  MINITOK_RETURN_IF_ERROR(db_->Read([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kStats));
    select.Bind(1, std::string_view(batch));
    std::unordered_map<std::int64_t, std::pair<std::int64_t, std::int64_t>> counts;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) break;
      counts[select.ColumnInt(0)] = {select.ColumnInt(1), select.ColumnInt(2)};
    }
    std::vector<std::int64_t> followed;
    if (viewer != 0) {
      MINITOK_ASSIGN_OR_RETURN(auto follows, c.Prepare(kViewerFollows));
      follows.Bind(1, viewer).Bind(2, std::string_view(batch));
      MINITOK_ASSIGN_OR_RETURN(followed, sql::CollectInts(follows));
    }
    for (auto& s : stats) {
      if (const auto it = counts.find(s.user_id); it != counts.end()) {
        s.follow_count = it->second.first;
        s.follower_count = it->second.second;
      }
      s.is_follow = std::find(followed.begin(), followed.end(), s.user_id) != followed.end();
    }
    return Ok();
  }));
  return stats;
}

}  // namespace minitok::relation
