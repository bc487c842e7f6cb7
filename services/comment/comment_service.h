#pragma once
// The comment service: comments and per-video comment counters.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/page.h"
#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::comment {

struct CommentRecord {
  std::int64_t id = 0;
  std::int64_t video_id = 0;
  std::int64_t user_id = 0;
  std::string content;
  std::int64_t created_ms = 0;
};

struct VideoCommentCount {
  std::int64_t video_id = 0;
  std::int64_t comment_count = 0;
};

class CommentService {
 public:
  virtual ~CommentService() = default;
  /// kInvalidArgument for empty, blank or over-long text; kNotFound for an unknown video.
  virtual Result<CommentRecord> Add(std::int64_t user_id, std::int64_t video_id, std::string_view text) = 0;
  /// Allowed for the comment's author and the video's author; kPermissionDenied otherwise,
  /// kNotFound when the comment does not exist (or belongs to another video when `video_id` != 0).
  virtual Status Delete(std::int64_t user_id, std::int64_t video_id, std::int64_t comment_id) = 0;
  /// Newest first; kNotFound for an unknown video.
  virtual Result<std::vector<CommentRecord>> List(std::int64_t video_id, Page page) = 0;
  /// One entry per id asked, in the order asked.
  virtual Result<std::vector<VideoCommentCount>> GetCounts(std::span<const std::int64_t> video_ids) = 0;

  // The Start forms begin a lookup and collect it later, so that a caller can have several
  // services' lookups in flight at once; here they answer at once, a remote client overrides them.
  virtual Pending<std::vector<VideoCommentCount>> StartGetCounts(std::span<const std::int64_t> video_ids) {
    return GetCounts(video_ids);
  }
};

}  // namespace minitok::comment
