#include "services/video/video_service_sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "libs/media/process.h"
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
    service_ = std::make_unique<VideoServiceSqlite>(
        std::move(sql::Database::Open({.path = dir_.File("video.db")}, Migrations()).value()),
        VideoStorage{(dir_.path() / "media").string(), tools_}, clock_);
  }

  /// A fresh copy of a tiny real video, as an upload would leave it.
  std::string Upload() {
    static int counter = 0;
    const std::string clip = dir_.File("clip.mp4");
    if (!fs::exists(clip)) {
      auto run = media::RunProcess({tools_.ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                                    "-t", "1", "-pix_fmt", "yuv420p", clip},
                                   {});
      EXPECT_TRUE(run.ok() && run->exit_code == 0);
    }
    const std::string copy = dir_.File("upload-" + std::to_string(++counter));
    fs::copy_file(clip, copy);
    return copy;
  }

  std::size_t MediaFolders() const {
    const fs::path videos = dir_.path() / "media" / "videos";
    if (!fs::exists(videos)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(videos), fs::directory_iterator()));
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  media::MediaTools tools_;
  std::unique_ptr<VideoServiceSqlite> service_;
};

TEST_F(VideoServiceTest, PublishStoresFileAndCoverAndCountsWork) {
  auto video = service_->Publish({7, "Bear", Upload()});
  ASSERT_TRUE(video.ok()) << video.error().message << video.error().detail;
  EXPECT_EQ(video->id, 1);
  EXPECT_EQ(video->state, VideoState::kReady);
  auto play = service_->FindMedia(video->play_path);
  ASSERT_TRUE(play.ok());
  EXPECT_EQ(play->content_type, "video/mp4");
  EXPECT_TRUE(fs::exists(play->absolute_path));
  auto cover = service_->FindMedia(video->cover_path);
  ASSERT_TRUE(cover.ok());
  EXPECT_EQ(cover->content_type, "image/jpeg");
  EXPECT_GT(fs::file_size(cover->absolute_path), 0u);
  const std::int64_t users[] = {7, 8};
  auto counts = service_->GetWorkCounts(users);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[0].work_count, 1);
  EXPECT_EQ((*counts)[1].work_count, 0);
}

TEST_F(VideoServiceTest, FeedTimesAreUniqueAndPagingLosesNothing) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(service_->Publish({1, "v" + std::to_string(i), Upload()}).ok());
  auto first = service_->Feed(INT64_MAX, 3);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->videos.size(), 3u);
  EXPECT_EQ(first->videos[0].id, 5);  // newest first
  auto second = service_->Feed(first->next_time_ms, 3);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->videos.size(), 2u);
  EXPECT_EQ(second->videos[1].id, 1);
  EXPECT_TRUE(service_->Feed(second->next_time_ms, 3)->videos.empty());
}

TEST_F(VideoServiceTest, RefusesNonVideosAndLeavesNothingBehind) {
  const std::string text = dir_.File("notes.mp4");
  std::ofstream(text) << "this is not a video";
  auto refused = service_->Publish({1, "Fake", text});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::kInvalidArgument);
  EXPECT_EQ(MediaFolders(), 0u);
  EXPECT_TRUE(service_->Feed(INT64_MAX, 30)->videos.empty());
  EXPECT_EQ(service_->Publish({1, "", Upload()}).error().code, Code::kInvalidArgument);
  EXPECT_EQ(service_->Publish({1, std::string(101, 't'), Upload()}).error().code, Code::kInvalidArgument);
}

TEST_F(VideoServiceTest, FindMediaRefusesAnythingItDidNotName) {
  ASSERT_TRUE(service_->Publish({1, "ok", Upload()}).ok());
  for (const char* path : {"../video.db", "videos/../../video.db", "/etc/passwd", "videos/0123456789abcdef/play-1.mp4",
                           "videos/0123456789abcdef/x.mp4", ""}) {
    EXPECT_EQ(service_->FindMedia(path).error().code, Code::kNotFound) << path;
  }
}

}  // namespace
}  // namespace minitok::video
