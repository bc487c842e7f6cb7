#include "services/comment/comment_service_sqlite.h"

#include "embedded/comment_migrations.h"
#include "libs/core/text.h"

namespace minitok::comment {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO comments (video_id, user_id, content, created_ms) VALUES (?, ?, ?, ?)";
constexpr std::string_view kAddCount =
    "INSERT INTO video_stats (video_id, comment_count) VALUES (?1, ?2) "
    "ON CONFLICT (video_id) DO UPDATE SET comment_count = comment_count + ?2";
constexpr std::string_view kFind = "SELECT video_id, user_id FROM comments WHERE id = ?";
constexpr std::string_view kDelete = "DELETE FROM comments WHERE id = ?";
constexpr std::string_view kList =
    "SELECT id, video_id, user_id, content, created_ms FROM comments WHERE video_id = ? "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kMostCommented =
    "SELECT video_id, comment_count FROM video_stats ORDER BY comment_count DESC LIMIT ?";
constexpr std::string_view kCounts =
    "SELECT video_id, comment_count FROM video_stats WHERE video_id IN (SELECT value FROM json_each(?))";

constexpr std::size_t kMaxCommentCharacters = 500;

// Bounds of the caches: counters, and the newest comments of each video (lists open at the top).
constexpr std::size_t kCachedCounters = 200'000;
constexpr std::size_t kCachedComments = 200'000;
constexpr std::int64_t kNewestKeptPerVideo = 100;

}  // namespace

std::span<const EmbeddedFile> Migrations() { return comment_migrations::Files(); }

Status ValidateCommentText(std::string_view text) {
  return ValidateText(text, {.what = "comment", .max_characters = kMaxCommentCharacters, .allow_newlines = true});
}

CommentServiceSqlite::CommentServiceSqlite(std::unique_ptr<sql::Database> db, video::VideoService& videos,
                                           const Clock& clock, cache::DataVersion* public_changes)
    : db_(std::move(db)),
      videos_(videos),
      clock_(clock),
      public_changes_(public_changes),
      counts_(kCachedCounters),
      newest_(kCachedComments) {}

void CommentServiceSqlite::Changed(std::int64_t video_id) {
  counts_.Invalidate(video_id);
  newest_.Invalidate(video_id);
  cache::PublicDataChanged(public_changes_);  // last: see DataVersion
}

Result<CommentRecord> CommentServiceSqlite::Add(std::int64_t user_id, std::int64_t video_id,
                                                std::string_view text) {
  MINITOK_RETURN_IF_ERROR(ValidateCommentText(text));
  MINITOK_RETURN_IF_ERROR(video::FindVisibleVideo(videos_, video_id));
  auto added = db_->Write([&](sql::Connection& c) -> Result<CommentRecord> {
    CommentRecord comment{0, video_id, user_id, std::string(text), clock_.NowMs()};
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    MINITOK_RETURN_IF_ERROR(
        insert.Bind(1, video_id).Bind(2, user_id).Bind(3, text).Bind(4, comment.created_ms).Run());
    comment.id = c.LastInsertRowId();
    MINITOK_ASSIGN_OR_RETURN(auto count, c.Prepare(kAddCount));
    MINITOK_RETURN_IF_ERROR(count.Bind(1, video_id).Bind(2, std::int64_t{1}).Run());
    return comment;
  });
  if (added.ok()) Changed(video_id);
  return added;
}

Status CommentServiceSqlite::Delete(std::int64_t user_id, std::int64_t video_id, std::int64_t comment_id) {
  const Error not_found = MakeError(Code::kNotFound, "this comment does not exist");
  struct Owner {
    std::int64_t video_id = 0;
    std::int64_t user_id = 0;
  };
  MINITOK_ASSIGN_OR_RETURN(const Owner owner, db_->Read([&](sql::Connection& c) -> Result<Owner> {
    MINITOK_ASSIGN_OR_RETURN(auto find, c.Prepare(kFind));
    find.Bind(1, comment_id);
    MINITOK_ASSIGN_OR_RETURN(const bool found, find.Step());
    if (!found) return Owner{};
    return Owner{find.ColumnInt(0), find.ColumnInt(1)};
  }));
  if (owner.video_id == 0 || (video_id != 0 && owner.video_id != video_id)) return not_found;
  if (owner.user_id != user_id) {
    // The video's author moderates its comments; the author of a video never changes, so this
    // check cannot go stale before the delete below.
    MINITOK_ASSIGN_OR_RETURN(const auto video, video::FindVisibleVideo(videos_, owner.video_id));
    if (video.author_id != user_id) {
      return MakeError(Code::kPermissionDenied, "you can delete only your own comments or comments on your videos");
    }
  }
  const Status deleted = db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto remove, c.Prepare(kDelete));
    MINITOK_RETURN_IF_ERROR(remove.Bind(1, comment_id).Run());
    if (c.ChangedRows() == 0) return not_found;  // deleted concurrently
    MINITOK_ASSIGN_OR_RETURN(auto count, c.Prepare(kAddCount));
    return count.Bind(1, owner.video_id).Bind(2, std::int64_t{-1}).Run();
  });
  if (deleted.ok()) Changed(owner.video_id);
  return deleted;
}

Result<std::vector<CommentRecord>> CommentServiceSqlite::List(std::int64_t video_id, Page page) {
  MINITOK_RETURN_IF_ERROR(video::FindVisibleVideo(videos_, video_id));
  if (page.offset + page.limit > kNewestKeptPerVideo) return ReadComments(video_id, page);
  std::optional<CommentList> newest = newest_.Get(video_id);
  if (!newest) {
    const auto ticket = newest_.TicketFor(video_id);
    MINITOK_ASSIGN_OR_RETURN(auto read, ReadComments(video_id, {.offset = 0, .limit = kNewestKeptPerVideo}));
    newest = std::make_shared<const std::vector<CommentRecord>>(std::move(read));
    newest_.Fill(video_id, *newest, ticket, (*newest)->size() + 1);
  }
  const auto& all = **newest;
  const auto begin = std::min<std::size_t>(all.size(), static_cast<std::size_t>(page.offset));
  const auto end = std::min<std::size_t>(all.size(), static_cast<std::size_t>(page.offset + page.limit));
  return std::vector<CommentRecord>(all.begin() + static_cast<std::ptrdiff_t>(begin),
                                    all.begin() + static_cast<std::ptrdiff_t>(end));
}

Result<std::vector<CommentRecord>> CommentServiceSqlite::ReadComments(std::int64_t video_id, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<CommentRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kList));
    select.Bind(1, video_id).Bind(2, page.limit).Bind(3, page.offset);
    std::vector<CommentRecord> comments;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return comments;
      comments.push_back({select.ColumnInt(0), select.ColumnInt(1), select.ColumnInt(2), select.ColumnText(3),
                          select.ColumnInt(4)});
    }
  });
}

Result<std::size_t> CommentServiceSqlite::WarmCaches() {
  return cache::Warm(counts_, [this](std::int64_t limit) { return sql::ReadIntPairs(*db_, kMostCommented, limit); });
}

Result<std::vector<VideoCommentCount>> CommentServiceSqlite::GetCounts(std::span<const std::int64_t> video_ids) {
  MINITOK_ASSIGN_OR_RETURN(const auto found,
                           cache::GetMany(counts_, video_ids, [this](auto missing) { return sql::ReadCounts(*db_, kCounts, missing); }));
  std::vector<VideoCommentCount> counts;
  counts.reserve(video_ids.size());
  for (std::size_t i = 0; i < video_ids.size(); ++i) counts.push_back({video_ids[i], found[i].value_or(0)});
  return counts;
}

}  // namespace minitok::comment
