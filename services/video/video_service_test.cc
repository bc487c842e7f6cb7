#include "services/video/video_service_sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "services/video/test_clips.h"
#include "tests/support/temp_dir.h"

namespace minitok::video {
namespace {

namespace fs = std::filesystem;

class VideoServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tools = media::LocateMediaTools(std::chrono::seconds(30));
    ASSERT_TRUE(tools.ok()) << "these tests need ffmpeg";
    tools_ = *tools;
    fs::create_directories(dir_.path() / "media");
    store_ = std::make_unique<VideoStore>(
        std::move(sql::Database::Open({.path = dir_.File("video.db")}, Migrations()).value()), clock_);
    service_ = std::make_unique<VideoServiceSqlite>(
        *store_, PublishSettings{.media_dir = (dir_.path() / "media").string(), .tools = tools_, .max_dimension = 1000,
                                 .max_seconds = 5},
        [this] { ++queued_; });
  }

  std::size_t MediaFolders() const {
    const fs::path videos = dir_.path() / "media" / "videos";
    if (!fs::exists(videos)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(videos), fs::directory_iterator()));
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  media::MediaTools tools_;
  std::unique_ptr<VideoStore> store_;
  std::unique_ptr<VideoServiceSqlite> service_;
  int queued_ = 0;
};

TEST_F(VideoServiceTest, PublishAcceptsAsProcessingWithOriginalCoverAndJob) {
  auto video = service_->Publish({7, "Bear", MakeClip(tools_, dir_, {})});
  ASSERT_TRUE(video.ok()) << video.error().message << video.error().detail;
  EXPECT_EQ(video->id, 1);
  EXPECT_EQ(video->state, VideoState::kProcessing);
  EXPECT_EQ(queued_, 1);
  auto play = service_->FindMedia(video->play_path);
  ASSERT_TRUE(play.ok());
  EXPECT_EQ(play->content_type, "video/mp4");
  auto cover = service_->FindMedia(video->cover_path);
  ASSERT_TRUE(cover.ok());
  EXPECT_GT(fs::file_size(cover->absolute_path), 0u);
  // Not visible yet: not in the feed, not counted, only in the author's own list.
  EXPECT_TRUE(service_->Feed(INT64_MAX, 30)->videos.empty());
  const std::int64_t users[] = {7};
  EXPECT_EQ(service_->GetWorkCounts(users)->front().work_count, 0);
  EXPECT_EQ(service_->ListByAuthor(7, true, {})->size(), 1u);
  EXPECT_TRUE(service_->ListByAuthor(7, false, {})->empty());
  auto job = store_->ClaimDueJob();
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->video_id, 1);
}

TEST_F(VideoServiceTest, RefusesNonVideosOversizedAndTooLongAndLeavesNothingBehind) {
  const std::string text = dir_.File("notes.mp4");
  std::ofstream(text) << "this is not a video, only text pretending";
  EXPECT_EQ(service_->Publish({1, "Fake", text}).error().code, Code::kInvalidArgument);
  auto wide = service_->Publish({1, "Wide", MakeClip(tools_, dir_, {.width = 1200, .height = 100})});
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.error().message.find("1000"), std::string::npos);
  auto long_clip = service_->Publish({1, "Long", MakeClip(tools_, dir_, {.seconds = 7})});
  ASSERT_FALSE(long_clip.ok());
  EXPECT_NE(long_clip.error().message.find("too long"), std::string::npos);
  EXPECT_EQ(service_->Publish({1, "", MakeClip(tools_, dir_, {})}).error().code, Code::kInvalidArgument);
  EXPECT_EQ(service_->Publish({1, std::string(101, 't'), MakeClip(tools_, dir_, {})}).error().code,
            Code::kInvalidArgument);
  EXPECT_EQ(MediaFolders(), 0u);
  EXPECT_TRUE(store_->StagedFolders()->empty());
  EXPECT_TRUE(service_->ListByAuthor(1, true, {})->empty());
  EXPECT_EQ(queued_, 0);
}

TEST_F(VideoServiceTest, FindMediaRefusesAnythingItDidNotName) {
  auto video = service_->Publish({1, "ok", MakeClip(tools_, dir_, {})});
  ASSERT_TRUE(video.ok());
  EXPECT_TRUE(service_->FindMedia(video->play_path).ok());
  EXPECT_TRUE(service_->FindMedia(video->cover_path).ok());
  for (const char* path : {"../video.db", "videos/../../video.db", "/etc/passwd", "videos/0123456789abcdef/play-1.mp4",
                           "videos/0123456789abcdef/x.mp4", "videos/0123456789ABCDEF/play-1.mp4",
                           "videos/0123456789abcdef/play-1.mp4/", "videos/0123456789abcdef/play-.mp4",
                           "videos/0123456789abcdef/cover-1.jpeg5", ""}) {
    EXPECT_EQ(service_->FindMedia(path).error().code, Code::kNotFound) << path;
  }
}

}  // namespace
}  // namespace minitok::video
