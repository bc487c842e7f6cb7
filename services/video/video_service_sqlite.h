#pragma once
#include <functional>
#include <string>

#include "libs/media/probe.h"
#include "services/video/video_service.h"
#include "services/video/video_store.h"

namespace minitok::video {

struct PublishSettings {
  std::string media_dir;  ///< absolute; holds videos/<key>/{play,cover}-<version>.<ext>
  media::MediaTools tools;
  int max_dimension = 4096;
  double max_seconds = 600;
};

class VideoServiceSqlite final : public VideoService {
 public:
  /// `on_job_queued` is called after a publish committed its transcode job (wakes the pipeline).
  VideoServiceSqlite(VideoStore& store, PublishSettings settings, std::function<void()> on_job_queued);

  // VideoService
  Result<VideoRecord> Publish(const PublishRequest& request) override;
  Result<FeedPage> Feed(std::int64_t before_ms, int limit) override;
  Result<std::vector<VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready,
                                                Page page) override;
  Result<std::vector<VideoRecord>> GetVideos(std::span<const std::int64_t> ids) override;
  Result<std::vector<WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids) override;
  Result<MediaFile> FindMedia(std::string_view relative_path) override;

 private:
  VideoStore& store_;
  PublishSettings settings_;
  std::function<void()> on_job_queued_;
};

}  // namespace minitok::video
