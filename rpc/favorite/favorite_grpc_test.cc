// The favorite adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls (context, retries, event loops) are checked here once.

#include "rpc/favorite/favorite_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include "libs/core/call_context.h"
#include "libs/core/non_blocking.h"
#include "libs/rpc/client_call.h"
#include "minitok/favorite/v1/favorite.grpc.pb.h"
#include "tests/support/rpc_loopback.h"

namespace minitok::favorite {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Return;

class MockFavoriteService : public FavoriteService {
 public:
  MOCK_METHOD(Status, Like, (std::int64_t, std::int64_t), (override));
  MOCK_METHOD(Status, Unlike, (std::int64_t, std::int64_t), (override));
  MOCK_METHOD(Result<std::vector<std::int64_t>>, ListLikedVideos, (std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<VideoFavoriteStats>>, GetVideoStats, (std::span<const std::int64_t>, std::int64_t),
              (override));
  MOCK_METHOD(Result<std::vector<UserFavoriteStats>>, GetUserStats, (std::span<const std::int64_t>), (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

class FavoriteGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockFavoriteService> service_;
  testing::RpcLoopback<FavoriteService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeFavoriteOverGrpc(service_, dispatcher); },
      [] { return FavoriteGrpcClient(); }};
  FavoriteService& client_ = loopback_.client();
};

TEST_F(FavoriteGrpcTest, LikeAndUnlikeActForTheUserInTheMetadata) {
  EXPECT_CALL(service_, Like(7, 42)).WillOnce(Return(Ok()));
  EXPECT_CALL(service_, Unlike(7, 43)).WillOnce(Return(Ok()));
  EXPECT_TRUE(client_.Like(7, 42).ok());
  EXPECT_TRUE(client_.Unlike(7, 43).ok());
}

TEST_F(FavoriteGrpcTest, ErrorsKeepTheirCodeAndMessage) {
  EXPECT_CALL(service_, Like(7, 404)).WillOnce(Return(MakeError(Code::kNotFound, "this video does not exist", "row 404")));
  const Status liked = client_.Like(7, 404);
  ASSERT_FALSE(liked.ok());
  EXPECT_EQ(liked.error().code, Code::kNotFound);
  EXPECT_EQ(liked.error().message, "this video does not exist");
  EXPECT_EQ(liked.error().detail.find("row 404"), std::string::npos) << "details stay with the service";
}

TEST_F(FavoriteGrpcTest, InternalDetailsNeverCrossTheWire) {
  EXPECT_CALL(service_, Unlike(7, 1)).WillOnce(Return(InternalError("disk I/O error at /srv/data/db/favorite.db")));
  const Status unliked = client_.Unlike(7, 1);
  ASSERT_FALSE(unliked.ok());
  EXPECT_EQ(unliked.error().code, Code::kInternal);
  EXPECT_EQ(unliked.error().message, InternalError({}).message);
  EXPECT_EQ(unliked.error().detail.find("/srv/data"), std::string::npos);
}

TEST_F(FavoriteGrpcTest, ListLikedVideosCarriesTheSubjectAndThePage) {
  EXPECT_CALL(service_, ListLikedVideos(9, ::testing::_))
      .WillOnce([](std::int64_t, Page page) -> Result<std::vector<std::int64_t>> {
        EXPECT_EQ(page.offset, 30);
        EXPECT_EQ(page.limit, 15);
        return std::vector<std::int64_t>{5, 3, 1};
      })
      .WillOnce(Return(std::vector<std::int64_t>{}));
  EXPECT_THAT(client_.ListLikedVideos(9, {.offset = 30, .limit = 15}).value(), ElementsAre(5, 3, 1));
  EXPECT_THAT(client_.ListLikedVideos(9, {}).value(), IsEmpty());
}

TEST_F(FavoriteGrpcTest, VideoStatsAreForTheViewerOfTheQuery) {
  EXPECT_CALL(service_, GetVideoStats(::testing::_, 7))
      .WillOnce([](std::span<const std::int64_t> ids, std::int64_t) -> Result<std::vector<VideoFavoriteStats>> {
        EXPECT_THAT(Ids(ids), ElementsAre(3, 2));
        return std::vector<VideoFavoriteStats>{{3, 10, true}, {2, 0, false}};
      });
  const std::int64_t ids[] = {3, 2};
  const auto stats = client_.GetVideoStats(ids, 7).value();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].video_id, 3);
  EXPECT_EQ(stats[0].favorite_count, 10);
  EXPECT_TRUE(stats[0].is_favorite);
  EXPECT_EQ(stats[1].video_id, 2);
  EXPECT_FALSE(stats[1].is_favorite);
  EXPECT_THAT(client_.GetVideoStats({}, 0).value(), IsEmpty());  // asks nothing
}

TEST_F(FavoriteGrpcTest, OneCallAnswersEachViewersQueryWithItsOwnFlags) {
  EXPECT_CALL(service_, GetVideoStats(::testing::_, ::testing::_))
      .Times(2)
      .WillRepeatedly([](std::span<const std::int64_t> ids, std::int64_t viewer) {
        std::vector<VideoFavoriteStats> stats;
        for (const auto id : ids) stats.push_back({.video_id = id, .favorite_count = 4, .is_favorite = id == viewer});
        return Result<std::vector<VideoFavoriteStats>>(std::move(stats));
      });
  v1::GetVideoStatsRequest request;
  auto* first = request.add_queries();
  first->set_viewer(3);
  first->add_video_ids(3);
  first->add_video_ids(5);
  auto* second = request.add_queries();
  second->set_viewer(5);
  second->add_video_ids(3);
  second->add_video_ids(5);
  v1::GetVideoStatsResponse response;
  grpc::ClientContext context;
  const auto stub = v1::Favorite::NewStub(rpc::OpenChannel(loopback_.address()));
  ASSERT_TRUE(stub->GetVideoStats(&context, request, &response).ok());
  ASSERT_EQ(response.answers_size(), 2);
  EXPECT_TRUE(response.answers(0).stats(0).is_favorite());
  EXPECT_FALSE(response.answers(0).stats(1).is_favorite());
  EXPECT_FALSE(response.answers(1).stats(0).is_favorite());
  EXPECT_TRUE(response.answers(1).stats(1).is_favorite());
}

TEST_F(FavoriteGrpcTest, ConcurrentViewersEachGetTheirOwnFlags) {
  // Many threads at once: their queries share calls, and every answer must still be its own.
  EXPECT_CALL(service_, GetVideoStats(::testing::_, ::testing::_))
      .WillRepeatedly([](std::span<const std::int64_t> ids, std::int64_t viewer) {
        std::vector<VideoFavoriteStats> stats;
        for (const auto id : ids) stats.push_back({.video_id = id, .favorite_count = id * 10, .is_favorite = id == viewer});
        return Result<std::vector<VideoFavoriteStats>>(std::move(stats));
      });
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::int64_t viewer = t * 100 + i;
        const std::int64_t ids[] = {viewer, viewer + 1};
        const auto stats = client_.GetVideoStats(ids, viewer);
        if (!stats.ok() || stats->size() != 2 || (*stats)[0].video_id != viewer || !(*stats)[0].is_favorite ||
            (*stats)[1].is_favorite || (*stats)[1].favorite_count != (viewer + 1) * 10) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(FavoriteGrpcTest, UserStatsRoundTrip) {
  EXPECT_CALL(service_, GetUserStats(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserFavoriteStats>> {
        EXPECT_THAT(Ids(ids), ElementsAre(100));
        return std::vector<UserFavoriteStats>{{100, 4, 12}};
      });
  const std::int64_t ids[] = {100};
  const auto stats = client_.GetUserStats(ids).value();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].user_id, 100);
  EXPECT_EQ(stats[0].favorite_count, 4);
  EXPECT_EQ(stats[0].total_favorited, 12);
}

TEST_F(FavoriteGrpcTest, TheCallContextReachesTheImplementation) {
  EXPECT_CALL(service_, Like(7, 42)).WillOnce([](std::int64_t, std::int64_t) -> Status {
    const CallContext* call = CallScope::Current();
    EXPECT_NE(call, nullptr);
    if (call == nullptr) return Ok();
    EXPECT_EQ(call->request_id, "gw-1");
    EXPECT_EQ(call->traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    EXPECT_TRUE(call->deadline.has_value());
    if (call->deadline) {
      const auto left = *call->deadline - std::chrono::steady_clock::now();
      EXPECT_GT(left, std::chrono::seconds(1));
      EXPECT_LE(left, std::chrono::seconds(3));
    }
    return Ok();
  });
  CallScope scope({.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3),
                   .request_id = "gw-1",
                   .traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"});
  EXPECT_TRUE(client_.Like(7, 42).ok());
}

TEST_F(FavoriteGrpcTest, AStartedLikeLeavesAtOnceAndContinuesOnGrpcsThreadInItsCallContext) {
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  EXPECT_CALL(service_, Like(7, 42)).WillOnce([released](std::int64_t, std::int64_t) -> Status {
    released.wait();
    return Ok();
  });
  std::promise<std::pair<std::thread::id, std::string>> continued;
  {
    const CallScope scope({.request_id = "gw-2"});
    client_.StartLike(7, 42).OnReady([&continued](Status status) {
      EXPECT_TRUE(status.ok());
      const CallContext* call = CallScope::Current();
      continued.set_value({std::this_thread::get_id(), call != nullptr ? call->request_id : "none"});
    });
  }
  // StartLike returned while the service still holds the like (this thread releases it).
  release.set_value();
  const auto [thread, request_id] = continued.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());
  EXPECT_EQ(request_id, "gw-2");
}

TEST_F(FavoriteGrpcTest, AReadThatMustBlockMovesFromTheGrpcThreadToAWorker) {
  int attempts = 0;
  EXPECT_CALL(service_, GetUserStats(::testing::_))
      .Times(2)
      .WillRepeatedly([&attempts](std::span<const std::int64_t>) -> Result<std::vector<UserFavoriteStats>> {
        ++attempts;
        if (NonBlockingScope::RefuseBlocking()) return MakeError(Code::kWouldBlock, "cache miss");
        return std::vector<UserFavoriteStats>{{1, 2, 3}};
      });
  const std::int64_t ids[] = {1};
  const auto stats = client_.GetUserStats(ids);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->front().total_favorited, 3);
  EXPECT_EQ(attempts, 2);
}

TEST_F(FavoriteGrpcTest, WritesAlwaysRunOnAWorker) {
  EXPECT_CALL(service_, Like(1, 2)).WillOnce([](std::int64_t, std::int64_t) -> Status {
    EXPECT_FALSE(NonBlockingScope::RefuseBlocking()) << "a write must never be tried on gRPC's thread";
    return Ok();
  });
  EXPECT_TRUE(client_.Like(1, 2).ok());
}

TEST_F(FavoriteGrpcTest, ARemoteCallIsRefusedInsideANonBlockingScope) {
  const std::int64_t ids[] = {1};
  {
    NonBlockingScope on_event_loop;
    const auto stats = client_.GetUserStats(ids);
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.error().code, Code::kWouldBlock);
    EXPECT_TRUE(on_event_loop.refused());
    const auto started = client_.StartGetVideoStats(ids, 3).Get();
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, Code::kWouldBlock);
  }
  // The refused lookups joined no call: the next ones are answered.
  EXPECT_CALL(service_, GetUserStats(::testing::_))
      .WillOnce(Return(std::vector<UserFavoriteStats>{{.user_id = 1, .favorite_count = 2, .total_favorited = 3}}));
  EXPECT_CALL(service_, GetVideoStats(::testing::_, 3))
      .WillOnce(Return(std::vector<VideoFavoriteStats>{{.video_id = 1, .favorite_count = 5, .is_favorite = true}}));
  EXPECT_EQ(client_.GetUserStats(ids).value().at(0).total_favorited, 3);
  EXPECT_TRUE(client_.GetVideoStats(ids, 3).value().at(0).is_favorite);
}

TEST_F(FavoriteGrpcTest, NoKnownInstanceIsUnavailable) {
  loopback_.instances().SetEndpoints({});
  const Status liked = client_.Like(1, 2);
  ASSERT_FALSE(liked.ok());
  EXPECT_EQ(liked.error().code, Code::kUnavailable);
}

TEST_F(FavoriteGrpcTest, AnUnreachableInstanceIsUnavailableWithinTheDeadline) {
  loopback_.instances().SetEndpoints({"127.0.0.1:1"});
  CallScope scope({.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2)});
  const auto started = std::chrono::steady_clock::now();
  const Status liked = client_.Like(1, 2);
  ASSERT_FALSE(liked.ok());
  EXPECT_EQ(liked.error().code, Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
}

TEST_F(FavoriteGrpcTest, ACallThatCouldNotReachItsInstanceGoesToAnotherWritesToo) {
  // Every other pick lands on a dead instance (nothing listens): nothing was sent there, so reads
  // and writes alike go to the live one, each time.
  loopback_.instances().SetEndpoints({"127.0.0.1:1", loopback_.address()});
  EXPECT_CALL(service_, GetUserStats(::testing::_))
      .Times(4)
      .WillRepeatedly(Return(std::vector<UserFavoriteStats>{{1, 0, 0}}));
  const std::int64_t ids[] = {1};
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(client_.GetUserStats(ids).ok());
  EXPECT_CALL(service_, Like(1, 2)).Times(4).WillRepeatedly(Return(Ok()));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(client_.Like(1, 2).ok());
}

TEST(NeverRanTest, OnlyACallThatCouldNotHaveRunCountsAsNeverRan) {
  // No connection: nothing was sent.
  EXPECT_TRUE(rpc::NeverRan(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                         "failed to connect to all addresses; last error: UNKNOWN: "
                                         "ipv4:127.0.0.1:1: Failed to connect to remote host: Connection refused")));
  // A process that does not serve the service (another one got a dead instance's port).
  EXPECT_TRUE(rpc::NeverRan(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "")));
  // Sent, then lost or refused by the service itself: it may have run.
  EXPECT_FALSE(rpc::NeverRan(grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed")));
  EXPECT_FALSE(rpc::NeverRan(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the service is busy or unavailable")));
  EXPECT_FALSE(rpc::NeverRan(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")));
}

TEST_F(FavoriteGrpcTest, AnInstanceThatAnsweredUnavailableGetsAReadAgainElsewhereButNeverAWrite) {
  // Two names of the one test server (gRPC's "ipv4:" form needs no resolver): the first answer is
  // "unavailable" (a full pool, say).
  const std::string port = loopback_.address().substr(loopback_.address().rfind(':') + 1);
  loopback_.instances().SetEndpoints({"127.0.0.1:" + port, "ipv4:127.0.0.1:" + port});
  const Error busy = MakeError(Code::kUnavailable, "the service is busy or unavailable, please try again");
  EXPECT_CALL(service_, GetUserStats(::testing::_))
      .WillOnce(Return(busy))
      .WillOnce(Return(std::vector<UserFavoriteStats>{{1, 0, 0}}));
  const std::int64_t ids[] = {1};
  EXPECT_TRUE(client_.GetUserStats(ids).ok()) << "the read was tried once more";
  // The write may have happened: it is answered as it was, not repeated.
  EXPECT_CALL(service_, Like(1, 2)).WillOnce(Return(busy));
  const Status liked = client_.Like(1, 2);
  ASSERT_FALSE(liked.ok());
  EXPECT_EQ(liked.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace minitok::favorite
