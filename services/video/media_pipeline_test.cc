#include "services/video/media_pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "services/video/test_clips.h"
#include "services/video/video_service_sqlite.h"
#include "tests/support/temp_dir.h"

namespace minitok::video {
namespace {

namespace fs = std::filesystem;

class MediaPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tools = media::LocateMediaTools(std::chrono::seconds(30));
    ASSERT_TRUE(tools.ok()) << "these tests need ffmpeg";
    tools_ = *tools;
    media_dir_ = (dir_.path() / "media").string();
    fs::create_directories(media_dir_);
    store_ = std::make_unique<VideoStore>(
        std::move(sql::Database::Open({.path = dir_.File("video.db"), .readers = 3}, Migrations()).value()), clock_);
    pipeline_ = std::make_unique<MediaPipeline>(
        *store_, media_dir_, tools_,
        TranscodeSettings{.max_short_side = 32, .max_attempts = 2, .retry_base = std::chrono::milliseconds(10)}, clock_,
        logger_);
    service_ = std::make_unique<VideoServiceSqlite>(*store_, PublishSettings{.media_dir = media_dir_, .tools = tools_},
                                                    [this] { pipeline_->Wake(); });
  }
  void TearDown() override {
    if (pipeline_) pipeline_->Stop();
  }

  /// Waits until the video leaves the processing state.
  VideoRecord AwaitSettled(std::int64_t id) {
    for (int i = 0; i < 300; ++i) {
      const std::int64_t ids[] = {id};
      auto found = store_->GetVideos(ids);
      if (found.ok() && !found->empty() && found->front().state != VideoState::kProcessing) return found->front();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "video " << id << " still processing";
    return {};
  }

  testing::TempDir dir_;
  SystemClock clock_;
  log::Logger logger_;
  media::MediaTools tools_;
  std::string media_dir_;
  std::unique_ptr<VideoStore> store_;
  std::unique_ptr<MediaPipeline> pipeline_;
  std::unique_ptr<VideoServiceSqlite> service_;
};

TEST_F(MediaPipelineTest, TranscodesToH264AndPublishesToTheFeedOnce) {
  pipeline_->Start();
  auto video = service_->Publish({5, "portrait", MakeClip(tools_, dir_, {.width = 48, .height = 64})});
  ASSERT_TRUE(video.ok()) << video.error().detail;
  const auto ready = AwaitSettled(video->id);
  ASSERT_EQ(ready.state, VideoState::kReady) << ready.state_reason;
  EXPECT_NE(ready.play_path, video->play_path);  // a new, versioned URL
  EXPECT_TRUE(ready.play_path.ends_with("/play-2.mp4"));
  EXPECT_GT(ready.ready_ms, 0);
  EXPECT_FALSE(fs::exists(fs::path(media_dir_) / video->play_path));  // original dropped
  auto info = media::ProbeVideo(tools_, (fs::path(media_dir_) / ready.play_path).string(), "mov");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_EQ(info->width, 32);  // short side scaled to the limit, portrait kept
  EXPECT_EQ(info->height, 42);
  EXPECT_TRUE(info->has_audio);
  auto feed = service_->Feed(INT64_MAX, 30);
  ASSERT_EQ(feed->videos.size(), 1u);
  const std::int64_t users[] = {5};
  EXPECT_EQ(service_->GetWorkCounts(users)->front().work_count, 1);
  EXPECT_FALSE(store_->ClaimDueJob()->has_value());
}

TEST_F(MediaPipelineTest, RetriesThenFailsWithAReasonTheAuthorCanRead) {
  auto video = service_->Publish({5, "broken later", MakeClip(tools_, dir_, {})});
  ASSERT_TRUE(video.ok());
  // The original turns to garbage after acceptance: every attempt fails.
  std::ofstream(fs::path(media_dir_) / video->play_path, std::ios::trunc) << "garbage";
  pipeline_->Start();
  const auto failed = AwaitSettled(video->id);
  EXPECT_EQ(failed.state, VideoState::kFailed);
  EXPECT_NE(failed.state_reason.find("could not be converted"), std::string::npos) << failed.state_reason;
  EXPECT_EQ(failed.state_reason.find(media_dir_), std::string::npos);
  EXPECT_TRUE(service_->Feed(INT64_MAX, 30)->videos.empty());
  EXPECT_FALSE(store_->ClaimDueJob()->has_value());
}

TEST_F(MediaPipelineTest, RecoverRemovesUncommittedUploadsAndPartialFilesAndResumesJobs) {
  // An upload that staged its folder but never committed its row.
  ASSERT_TRUE(store_->StageFolder("00000000deadbeef").ok());
  fs::create_directories(fs::path(media_dir_) / "videos" / "00000000deadbeef");
  // A video whose job was running when the process died, with a partial output.
  auto video = service_->Publish({5, "interrupted", MakeClip(tools_, dir_, {})});
  ASSERT_TRUE(video.ok());
  ASSERT_TRUE(store_->ClaimDueJob()->has_value());
  const fs::path part = (fs::path(media_dir_) / video->play_path).parent_path() / "play-2.mp4.part";
  std::ofstream(part) << "half a transcode";

  ASSERT_TRUE(RecoverMediaFolder(*store_, media_dir_, logger_).ok());
  EXPECT_FALSE(fs::exists(fs::path(media_dir_) / "videos" / "00000000deadbeef"));
  EXPECT_TRUE(store_->StagedFolders()->empty());
  EXPECT_FALSE(fs::exists(part));
  pipeline_->Start();
  EXPECT_EQ(AwaitSettled(video->id).state, VideoState::kReady);
}

TEST(TranscodeArgumentsTest, UsesTheConfiguredSettingsAndNoShell) {
  media::MediaTools tools{"/usr/bin/ffmpeg", "/usr/bin/ffprobe", std::chrono::seconds(1)};
  const auto args = TranscodeArguments(tools, {.preset = "fast", .crf = 20}, "in.webm", "matroska", "out.part");
  EXPECT_EQ(args.front(), "/usr/bin/ffmpeg");
  EXPECT_EQ(args.back(), "file:out.part");
  const auto has = [&](const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == a && args[i + 1] == b) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("-c:v", "libx264"));
  EXPECT_TRUE(has("-preset", "fast"));
  EXPECT_TRUE(has("-crf", "20"));
  EXPECT_TRUE(has("-pix_fmt", "yuv420p"));
  EXPECT_TRUE(has("-movflags", "+faststart"));
  EXPECT_TRUE(has("-c:a", "aac"));
  // The input: its demuxer forced, no protocol but the file, never read as a URL.
  EXPECT_TRUE(has("-protocol_whitelist", "file"));
  EXPECT_TRUE(has("-f", "matroska"));
  EXPECT_TRUE(has("-i", "file:in.webm"));
}

}  // namespace
}  // namespace minitok::video
