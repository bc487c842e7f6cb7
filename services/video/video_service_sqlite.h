#pragma once
#include <memory>
#include <string>

#include "libs/core/clock.h"
#include "libs/media/probe.h"
#include "libs/sql/sqlite.h"
#include "services/video/video_service.h"

namespace minitok::video {

std::span<const EmbeddedFile> Migrations();

struct VideoStorage {
  std::string media_dir;  ///< absolute; holds videos/<key>/{play,cover}-<version>.<ext>
  media::MediaTools tools;
};

class VideoServiceSqlite final : public VideoService {
 public:
  VideoServiceSqlite(std::unique_ptr<sql::Database> db, VideoStorage storage, const Clock& clock);

  // VideoService
  Result<VideoRecord> Publish(const PublishRequest& request) override;
  Result<FeedPage> Feed(std::int64_t before_ms, int limit) override;
  Result<std::vector<VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready,
                                                Page page) override;
  Result<std::vector<VideoRecord>> GetVideos(std::span<const std::int64_t> ids) override;
  Result<std::vector<WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids) override;
  Result<MediaFile> FindMedia(std::string_view relative_path) override;

 private:
  std::unique_ptr<sql::Database> db_;
  VideoStorage storage_;
  const Clock& clock_;
};

}  // namespace minitok::video
