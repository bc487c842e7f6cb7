// The video adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/video/video_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rpc_loopback.h"

namespace minitok::video {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Return;

class MockVideoService : public VideoService {
 public:
  MOCK_METHOD(Result<VideoRecord>, Publish, (const PublishRequest&), (override));
  MOCK_METHOD(Result<FeedPage>, Feed, (std::int64_t, int), (override));
  MOCK_METHOD(Result<std::vector<VideoRecord>>, ListByAuthor, (std::int64_t, bool, Page), (override));
  MOCK_METHOD(Result<std::vector<VideoRecord>>, GetVideos, (std::span<const std::int64_t>), (override));
  MOCK_METHOD(Result<std::vector<WorkCount>>, GetWorkCounts, (std::span<const std::int64_t>), (override));
  MOCK_METHOD(Result<MediaFile>, FindMedia, (std::string_view), (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

VideoRecord Ready(std::int64_t id, std::int64_t author_id) {
  return {.id = id,
          .author_id = author_id,
          .title = "video " + std::to_string(id),
          .play_path = "videos/" + std::to_string(id) + ".mp4",
          .cover_path = "covers/" + std::to_string(id) + ".jpg",
          .state = VideoState::kReady,
          .state_reason = "",
          .created_ms = 1'700'000'000'000 + id,
          .ready_ms = 1'700'000'005'000 + id};
}

void ExpectSameVideo(const VideoRecord& got, const VideoRecord& want) {
  SCOPED_TRACE("video " + std::to_string(want.id));
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.author_id, want.author_id);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.play_path, want.play_path);
  EXPECT_EQ(got.cover_path, want.cover_path);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.state_reason, want.state_reason);
  EXPECT_EQ(got.created_ms, want.created_ms);
  EXPECT_EQ(got.ready_ms, want.ready_ms);
}

class VideoGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockVideoService> service_;
  testing::RpcLoopback<VideoService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeVideoOverGrpc(service_, dispatcher); },
      [] { return VideoGrpcClient(); }};
  VideoService& client_ = loopback_.client();
};

TEST_F(VideoGrpcTest, PublishActsForTheAuthorInTheMetadata) {
  const VideoRecord published{.id = 31,
                              .author_id = 7,
                              .title = "my cat",
                              .play_path = "videos/31.mp4",
                              .cover_path = "covers/31.jpg",
                              .state = VideoState::kProcessing,
                              .state_reason = "",
                              .created_ms = 1'700'000'000'123,
                              .ready_ms = 0};
  EXPECT_CALL(service_, Publish(AllOf(Field(&PublishRequest::author_id, 7), Field(&PublishRequest::title, "my cat"),
                                      Field(&PublishRequest::upload_path, "/srv/uploads/u7-1.mp4"))))
      .WillOnce(Return(published));
  const auto video = client_.Publish({.author_id = 7, .title = "my cat", .upload_path = "/srv/uploads/u7-1.mp4"});
  ASSERT_TRUE(video.ok()) << video.error().message;
  ExpectSameVideo(*video, published);
}

TEST_F(VideoGrpcTest, ABadTitleIsInvalidArgument) {
  EXPECT_CALL(service_, Publish(Field(&PublishRequest::title, "")))
      .WillOnce(Return(MakeError(Code::kInvalidArgument, "the title must not be empty")));
  const auto video = client_.Publish({.author_id = 7, .title = "", .upload_path = "/srv/uploads/u7-2.mp4"});
  ASSERT_FALSE(video.ok());
  EXPECT_EQ(video.error().code, Code::kInvalidArgument);
  EXPECT_EQ(video.error().message, "the title must not be empty");
}

TEST_F(VideoGrpcTest, FeedCarriesTheCursorAndTheLimitAndReturnsTheNextCursor) {
  EXPECT_CALL(service_, Feed(1'700'000'009'999, 30))
      .Times(2)
      .WillRepeatedly(Return(FeedPage{.videos = {Ready(12, 3), Ready(11, 4)}, .next_time_ms = 1'700'000'005'011}));
  // The page's ids travel with every page, its ready videos only once.
  EXPECT_CALL(service_, GetVideos(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<VideoRecord>> {
        EXPECT_THAT(Ids(ids), ElementsAre(12, 11));
        return std::vector<VideoRecord>{Ready(11, 4), Ready(12, 3)};
      });
  for (int round = 0; round < 2; ++round) {
    const auto page = client_.Feed(1'700'000'009'999, 30);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->videos.size(), 2u);
    ExpectSameVideo(page->videos[0], Ready(12, 3));
    ExpectSameVideo(page->videos[1], Ready(11, 4));
    EXPECT_EQ(page->next_time_ms, 1'700'000'005'011);
  }
}

TEST_F(VideoGrpcTest, AnEmptyFeedIsEmpty) {
  EXPECT_CALL(service_, Feed(5, 10)).WillOnce(Return(FeedPage{}));
  const auto page = client_.Feed(5, 10);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_THAT(page->videos, IsEmpty());
  EXPECT_EQ(page->next_time_ms, 0);
}

TEST_F(VideoGrpcTest, EveryStateAndItsReasonCrossTheWire) {
  VideoRecord processing = Ready(1, 2);
  processing.state = VideoState::kProcessing;
  processing.ready_ms = 0;
  VideoRecord failed = Ready(3, 2);
  failed.state = VideoState::kFailed;
  failed.state_reason = "this file is not a video";
  failed.ready_ms = 0;
  EXPECT_CALL(service_, GetVideos(::testing::_))
      .WillOnce([&](std::span<const std::int64_t> ids) -> Result<std::vector<VideoRecord>> {
        EXPECT_THAT(Ids(ids), ElementsAre(3, 1, 2));
        return std::vector<VideoRecord>{failed, processing, Ready(2, 2)};
      });
  const std::int64_t ids[] = {3, 1, 2};
  const auto videos = client_.GetVideos(ids).value();
  ASSERT_EQ(videos.size(), 3u);
  ExpectSameVideo(videos[0], failed);
  ExpectSameVideo(videos[1], processing);
  ExpectSameVideo(videos[2], Ready(2, 2));
}

TEST_F(VideoGrpcTest, GetVideosOfNoIdsIsEmptyWithoutACall) { EXPECT_THAT(client_.GetVideos({}).value(), IsEmpty()); }

TEST_F(VideoGrpcTest, ReadyVideosAreKeptSoThatOnlyTheOthersTravel) {
  VideoRecord processing = Ready(5, 1);
  processing.state = VideoState::kProcessing;
  processing.ready_ms = 0;
  EXPECT_CALL(service_, GetVideos(::testing::_))
      .WillOnce([&](std::span<const std::int64_t> ids) -> Result<std::vector<VideoRecord>> {
        EXPECT_THAT(Ids(ids), ElementsAre(4, 5));
        return std::vector<VideoRecord>{Ready(4, 1), processing};
      })
      .WillOnce([&](std::span<const std::int64_t> ids) -> Result<std::vector<VideoRecord>> {
        EXPECT_THAT(Ids(ids), ElementsAre(5)) << "the processing one may change: asked again";
        return std::vector<VideoRecord>{Ready(5, 1)};
      });
  const std::int64_t ids[] = {4, 5};
  EXPECT_EQ(client_.GetVideos(ids).value().size(), 2u);
  const auto again = client_.GetVideos(ids).value();
  ASSERT_EQ(again.size(), 2u);
  ExpectSameVideo(again[0], Ready(4, 1));
  ExpectSameVideo(again[1], Ready(5, 1));
  const auto kept = client_.GetVideos(ids).value();  // both ready now: no call at all
  ASSERT_EQ(kept.size(), 2u);
}

TEST_F(VideoGrpcTest, ListByAuthorCarriesTheAuthorTheFlagAndThePage) {
  EXPECT_CALL(service_, ListByAuthor(4, true, ::testing::_))
      .WillOnce([](std::int64_t, bool, Page page) -> Result<std::vector<VideoRecord>> {
        EXPECT_EQ(page.offset, 20);
        EXPECT_EQ(page.limit, 5);
        return std::vector<VideoRecord>{Ready(9, 4), Ready(8, 4)};
      });
  EXPECT_CALL(service_, ListByAuthor(4, false, ::testing::_))
      .WillOnce([](std::int64_t, bool, Page page) -> Result<std::vector<VideoRecord>> {
        EXPECT_EQ(page.offset, 0);
        EXPECT_EQ(page.limit, 100);
        return std::vector<VideoRecord>{};
      });
  const auto videos = client_.ListByAuthor(4, true, {.offset = 20, .limit = 5}).value();
  ASSERT_EQ(videos.size(), 2u);
  ExpectSameVideo(videos[0], Ready(9, 4));
  ExpectSameVideo(videos[1], Ready(8, 4));
  EXPECT_THAT(client_.ListByAuthor(4, false, {}).value(), IsEmpty());
}

TEST_F(VideoGrpcTest, ListByAuthorOfAnUnknownAuthorIsNotFound) {
  EXPECT_CALL(service_, ListByAuthor(404, false, ::testing::_))
      .WillOnce(Return(MakeError(Code::kNotFound, "this user does not exist")));
  const auto videos = client_.ListByAuthor(404, false, {});
  ASSERT_FALSE(videos.ok());
  EXPECT_EQ(videos.error().code, Code::kNotFound);
  EXPECT_EQ(videos.error().message, "this user does not exist");
}

TEST_F(VideoGrpcTest, WorkCountsRoundTrip) {
  EXPECT_CALL(service_, GetWorkCounts(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<WorkCount>> {
        EXPECT_THAT(Ids(ids), ElementsAre(6, 5));
        return std::vector<WorkCount>{{.user_id = 6, .work_count = 3}, {.user_id = 5, .work_count = 0}};
      });
  const std::int64_t ids[] = {6, 5};
  const auto counts = client_.GetWorkCounts(ids).value();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].user_id, 6);
  EXPECT_EQ(counts[0].work_count, 3);
  EXPECT_EQ(counts[1].user_id, 5);
  EXPECT_EQ(counts[1].work_count, 0);
}

TEST_F(VideoGrpcTest, FindMediaCarriesThePathAndReturnsTheFile) {
  EXPECT_CALL(service_, FindMedia("covers/31.jpg"))
      .WillOnce(Return(MediaFile{.absolute_path = "/srv/media/covers/31.jpg", .content_type = "image/jpeg"}));
  const auto media = client_.FindMedia("covers/31.jpg");
  ASSERT_TRUE(media.ok()) << media.error().message;
  EXPECT_EQ(media->absolute_path, "/srv/media/covers/31.jpg");
  EXPECT_EQ(media->content_type, "image/jpeg");
}

TEST_F(VideoGrpcTest, UnknownMediaIsNotFound) {
  EXPECT_CALL(service_, FindMedia("../etc/passwd")).WillOnce(Return(MakeError(Code::kNotFound, "no such file")));
  const auto media = client_.FindMedia("../etc/passwd");
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().code, Code::kNotFound);
  EXPECT_EQ(media.error().message, "no such file");
}

}  // namespace
}  // namespace minitok::video
