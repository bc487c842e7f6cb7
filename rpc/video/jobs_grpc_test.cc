// The transcode-jobs adapters round-trip every call, its errors and empty answers over a real
// gRPC connection.

#include "rpc/video/jobs_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rpc_loopback.h"

namespace minitok::video {
namespace {

using ::testing::ElementsAre;
using ::testing::Return;

class MockJobs : public TranscodeJobs {
 public:
  MOCK_METHOD(Result<std::optional<Job>>, ClaimDueJob, (), (override));
  MOCK_METHOD(Result<std::optional<std::int64_t>>, NextDueTime, (), (override));
  MOCK_METHOD(Status, MarkReady, (std::int64_t, const std::string&, bool), (override));
  MOCK_METHOD(Status, RetryLater, (std::int64_t, std::int64_t, std::int64_t, const std::string&), (override));
  MOCK_METHOD(Status, MarkFailed, (std::int64_t, const std::string&), (override));
  MOCK_METHOD(Status, SetStateReason, (std::int64_t, const std::string&), (override));
  MOCK_METHOD(Result<std::vector<std::string>>, Trash, (), (override));
  MOCK_METHOD(Status, ForgetTrash, (const std::string&), (override));
};

class JobsGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockJobs> jobs_;
  testing::RpcLoopback<TranscodeJobs> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeTranscodeJobsOverGrpc(jobs_, dispatcher); },
      [] { return TranscodeJobsGrpcClient(); }};
  TranscodeJobs& client_ = loopback_.client();
};

TEST_F(JobsGrpcTest, AClaimedJobCarriesEveryFieldAndNoneDueIsEmpty) {
  EXPECT_CALL(jobs_, ClaimDueJob())
      .WillOnce(Return(std::optional<Job>(Job{.video_id = 12,
                                              .attempts = 2,
                                              .media_key = "00ab",
                                              .original_path = "videos/00ab/play-1.webm",
                                              .duration_ms = 4500,
                                              .has_audio = false})))
      .WillOnce(Return(std::optional<Job>()));
  const auto job = client_.ClaimDueJob();
  ASSERT_TRUE(job.ok() && job->has_value()) << (job.ok() ? "none" : job.error().message);
  EXPECT_EQ((*job)->video_id, 12);
  EXPECT_EQ((*job)->attempts, 2);
  EXPECT_EQ((*job)->media_key, "00ab");
  EXPECT_EQ((*job)->original_path, "videos/00ab/play-1.webm");
  EXPECT_EQ((*job)->duration_ms, 4500);
  EXPECT_FALSE((*job)->has_audio);
  EXPECT_FALSE(client_.ClaimDueJob()->has_value());
}

TEST_F(JobsGrpcTest, NextDueTimeIsAbsentWhenNoJobWaits) {
  EXPECT_CALL(jobs_, NextDueTime())
      .WillOnce(Return(std::optional<std::int64_t>(1'700'000'000'123)))
      .WillOnce(Return(std::optional<std::int64_t>()));
  EXPECT_EQ(client_.NextDueTime().value(), 1'700'000'000'123);
  EXPECT_EQ(client_.NextDueTime().value(), std::nullopt);
}

TEST_F(JobsGrpcTest, EndsOfAJobCarryTheirArguments) {
  EXPECT_CALL(jobs_, MarkReady(7, "videos/k/play-2.mp4", true)).WillOnce(Return(Ok()));
  EXPECT_CALL(jobs_, RetryLater(8, 1, 1'700'000'005'000, "ffmpeg failed")).WillOnce(Return(Ok()));
  EXPECT_CALL(jobs_, MarkFailed(9, "not a video")).WillOnce(Return(Ok()));
  EXPECT_CALL(jobs_, SetStateReason(7, "transcoding: 40%")).WillOnce(Return(Ok()));
  EXPECT_TRUE(client_.SetStateReason(7, "transcoding: 40%").ok());
  EXPECT_TRUE(client_.MarkReady(7, "videos/k/play-2.mp4", true).ok());
  EXPECT_TRUE(client_.RetryLater(8, 1, 1'700'000'005'000, "ffmpeg failed").ok());
  EXPECT_TRUE(client_.MarkFailed(9, "not a video").ok());
}

TEST_F(JobsGrpcTest, AJobThatEndedAlreadyIsNotFoundOnTheWorkersSide) {
  EXPECT_CALL(jobs_, MarkFailed(9, "late")).WillOnce(Return(MakeError(Code::kNotFound, "the job ended already")));
  const auto failed = client_.MarkFailed(9, "late");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Code::kNotFound);
}

TEST_F(JobsGrpcTest, TheTrashIsListedAndForgottenByPath) {
  EXPECT_CALL(jobs_, Trash())
      .WillOnce(Return(std::vector<std::string>{"videos/a/play-1.mp4", "videos/b/play-1.webm"}))
      .WillOnce(Return(std::vector<std::string>{}));
  EXPECT_CALL(jobs_, ForgetTrash("videos/a/play-1.mp4")).WillOnce(Return(Ok()));
  EXPECT_THAT(client_.Trash().value(), ElementsAre("videos/a/play-1.mp4", "videos/b/play-1.webm"));
  EXPECT_TRUE(client_.ForgetTrash("videos/a/play-1.mp4").ok());
  EXPECT_TRUE(client_.Trash().value().empty());
}

TEST_F(JobsGrpcTest, AStoreErrorIsAnErrorNotAnEmptyClaim) {
  EXPECT_CALL(jobs_, ClaimDueJob()).WillOnce(Return(InternalError("disk I/O error")));
  const auto job = client_.ClaimDueJob();
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, Code::kInternal);
  EXPECT_EQ(job.error().detail.find("disk"), std::string::npos) << "internal detail stays on the server";
}

}  // namespace
}  // namespace minitok::video
