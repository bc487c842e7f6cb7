#pragma once
// The video service: videos, their media files and processing state, the feed, work counts.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/page.h"
#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::video {

enum class VideoState { kProcessing = 0, kReady = 1, kFailed = 2 };

struct VideoRecord {
  std::int64_t id = 0;
  std::int64_t author_id = 0;
  std::string title;
  std::string play_path;   ///< relative to the media folder; part of its URL
  std::string cover_path;  ///< relative to the media folder
  VideoState state = VideoState::kProcessing;
  std::string state_reason;
  std::int64_t created_ms = 0;
  std::int64_t ready_ms = 0;  ///< feed time: unique, set when the video became visible
};

struct FeedPage {
  std::vector<VideoRecord> videos;  ///< newest first
  std::int64_t next_time_ms = 0;    ///< ready time of the oldest video in the page
};

struct PublishRequest {
  std::int64_t author_id = 0;
  std::string title;
  std::string upload_path;  ///< a file the service takes over (moved into the media folder)
};

struct WorkCount {
  std::int64_t user_id = 0;
  std::int64_t work_count = 0;
};

struct MediaFile {
  std::string absolute_path;
  std::string content_type;
};

class VideoService {
 public:
  virtual ~VideoService() = default;
  /// Validates the title and the file (a real video), stores it with a cover, returns the new
  /// video. Blocking (runs ffprobe and ffmpeg).
  virtual Result<VideoRecord> Publish(const PublishRequest& request) = 0;
  /// Ready videos strictly older than `before_ms`, newest first, at most `limit`.
  virtual Result<FeedPage> Feed(std::int64_t before_ms, int limit) = 0;
  /// The author's videos, newest first; unready ones only when `include_unready`.
  virtual Result<std::vector<VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready,
                                                        Page page) = 0;
  /// The videos of `ids` that exist (any state), in no particular order.
  virtual Result<std::vector<VideoRecord>> GetVideos(std::span<const std::int64_t> ids) = 0;
  /// Ready videos per author, for every id asked (zero when none).
  virtual Result<std::vector<WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids) = 0;
  /// A media file by the relative path in a URL; kNotFound for anything that is not the current
  /// file of an existing video.
  virtual Result<MediaFile> FindMedia(std::string_view relative_path) = 0;

  // The Start forms begin a lookup and collect it later, so that a caller can have several
  // services' lookups in flight at once; here they answer at once, a remote client overrides them.
  virtual Pending<std::vector<WorkCount>> StartGetWorkCounts(std::span<const std::int64_t> user_ids) {
    return GetWorkCounts(user_ids);
  }
  virtual Pending<FeedPage> StartFeed(std::int64_t before_ms, int limit) { return Feed(before_ms, limit); }
};

Status ValidateTitle(std::string_view title);

/// The video if it exists and is visible (ready); kNotFound otherwise. Other services check
/// this before acting on a video (a processing video can not be liked or commented yet).
inline Result<VideoRecord> FindVisibleVideo(VideoService& videos, std::int64_t video_id) {
  const std::int64_t ids[] = {video_id};
  MINITOK_ASSIGN_OR_RETURN(auto found, videos.GetVideos(ids));
  if (found.empty() || found.front().state != VideoState::kReady) {
    return MakeError(Code::kNotFound, "this video does not exist");
  }
  return std::move(found.front());
}

}  // namespace minitok::video
