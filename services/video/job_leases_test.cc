#include "services/video/job_leases.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace minitok::video {
namespace {

class JobLeasesTest : public ::testing::Test {
 protected:
  JobLeasesTest() {
    auto db = std::move(sql::Database::Open({.path = dir_.File("video.db"), .readers = 2}, Migrations()).value());
    store_ = std::make_unique<VideoStore>(std::move(db), clock_);
    leases_ = std::make_unique<JobLeases>(*store_, clock_, std::chrono::milliseconds(30'000), logger_);
  }
  ~JobLeasesTest() override {
    leases_.reset();
    ::close(null_);
  }

  std::int64_t NewVideo(const std::string& key) {
    auto created = store_->InsertProcessing({.author_id = 1, .title = key, .media_key = key,
                                             .original_path = key + "/play-1.mp4", .original_type = "video/mp4",
                                             .cover_path = key + "/cover-1.jpg"});
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : 0;
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  int null_ = ::open("/dev/null", O_WRONLY);
  log::Logger logger_{null_};
  std::unique_ptr<VideoStore> store_;
  std::unique_ptr<JobLeases> leases_;
};

TEST_F(JobLeasesTest, AJobNotHeardOfForItsLeaseWaitsForAnotherWorker) {
  const std::int64_t id = NewVideo("k1");
  auto claimed = leases_->ClaimDueJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_FALSE(leases_->ClaimDueJob()->has_value());
  clock_.Advance(29'000);
  EXPECT_EQ(leases_->ReleaseExpired(), 0u);
  clock_.Advance(2'000);
  EXPECT_EQ(leases_->ReleaseExpired(), 1u);
  auto again = leases_->ClaimDueJob();
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->video_id, id);
}

TEST_F(JobLeasesTest, ReportsKeepTheJobAndItsEndEndsTheLease) {
  const std::int64_t id = NewVideo("k2");
  ASSERT_TRUE(leases_->ClaimDueJob()->has_value());
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(20'000);
    ASSERT_TRUE(leases_->SetStateReason(id, "transcoding: " + std::to_string(i * 20) + "%").ok());
    EXPECT_EQ(leases_->ReleaseExpired(), 0u) << "a worker that reports keeps its job";
  }
  ASSERT_TRUE(leases_->MarkReady(id, "k2/play-2.mp4", false).ok());
  clock_.Advance(60'000);
  EXPECT_EQ(leases_->ReleaseExpired(), 0u) << "an ended job has no lease";
  EXPECT_FALSE(leases_->ClaimDueJob()->has_value());
  // The original went to the trash: the worker empties it through the same jobs.
  const auto trash = leases_->Trash();
  ASSERT_TRUE(trash.ok());
  ASSERT_EQ(trash->size(), 1u);
  ASSERT_TRUE(leases_->ForgetTrash(trash->front()).ok());
  EXPECT_TRUE(leases_->Trash()->empty());
}

TEST_F(JobLeasesTest, ARetryLeavesNoLeaseAndComesDueLater) {
  const std::int64_t id = NewVideo("k3");
  ASSERT_TRUE(leases_->ClaimDueJob()->has_value());
  ASSERT_TRUE(leases_->RetryLater(id, 1, clock_.NowMs() + 5'000, "ffmpeg failed").ok());
  EXPECT_EQ(leases_->NextDueTime().value(), clock_.NowMs() + 5'000);
  clock_.Advance(60'000);
  EXPECT_EQ(leases_->ReleaseExpired(), 0u);
  auto retried = leases_->ClaimDueJob();
  ASSERT_TRUE(retried.ok() && retried->has_value());
  EXPECT_EQ((*retried)->attempts, 1);
}

}  // namespace
}  // namespace minitok::video
