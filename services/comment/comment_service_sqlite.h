#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "libs/cache/data_version.h"
#include "libs/cache/keyed_cache.h"
#include "libs/core/clock.h"
#include "libs/sql/sqlite.h"
#include "services/comment/comment_service.h"
#include "services/video/video_service.h"

namespace minitok::comment {

std::span<const EmbeddedFile> Migrations();

class CommentServiceSqlite final : public CommentService {
 public:
  /// `videos` answers whether a video exists and who may moderate its comments.
  /// `public_changes` (may be null) is bumped after each change that anonymous answers show, once
  /// this service's own caches have dropped what the change made stale.
  CommentServiceSqlite(std::unique_ptr<sql::Database> db, video::VideoService& videos, const Clock& clock,
                       cache::DataVersion* public_changes = nullptr);

  // CommentService
  Result<CommentRecord> Add(std::int64_t user_id, std::int64_t video_id, std::string_view text) override;
  Status Delete(std::int64_t user_id, std::int64_t video_id, std::int64_t comment_id) override;
  Result<std::vector<CommentRecord>> List(std::int64_t video_id, Page page) override;
  Result<std::vector<VideoCommentCount>> GetCounts(std::span<const std::int64_t> video_ids) override;

  /// Fills the counter cache at start (the most commented videos first); returns how many.
  Result<std::size_t> WarmCaches();

 private:
  using CommentList = std::shared_ptr<const std::vector<CommentRecord>>;

  /// Drops what a comment added or deleted changed from the caches.
  void Changed(std::int64_t video_id);
  Result<std::vector<CommentRecord>> ReadComments(std::int64_t video_id, Page page);

  std::unique_ptr<sql::Database> db_;
  video::VideoService& videos_;
  const Clock& clock_;
  cache::DataVersion* public_changes_;
  cache::KeyedCache<std::int64_t> counts_;
  cache::KeyedCache<CommentList> newest_;  ///< per video: its newest comments, newest first
};

Status ValidateCommentText(std::string_view text);

}  // namespace minitok::comment
