// The relation adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/relation/relation_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rpc_loopback.h"

namespace minitok::relation {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Return;

class MockRelationService : public RelationService {
 public:
  MOCK_METHOD(Status, Follow, (std::int64_t, std::int64_t), (override));
  MOCK_METHOD(Status, Unfollow, (std::int64_t, std::int64_t), (override));
  MOCK_METHOD(Result<std::vector<std::int64_t>>, ListFollowing, (std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<std::int64_t>>, ListFollowers, (std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<std::int64_t>>, ListFriends, (std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<RelationStats>>, GetStats, (std::span<const std::int64_t>, std::int64_t),
              (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

/// A list call that expects `offset` and `limit` and answers `ids`.
auto ListAnswer(std::int64_t offset, std::int64_t limit, std::vector<std::int64_t> ids) {
  return [offset, limit, ids](std::int64_t, Page page) -> Result<std::vector<std::int64_t>> {
    EXPECT_EQ(page.offset, offset);
    EXPECT_EQ(page.limit, limit);
    return ids;
  };
}

class RelationGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockRelationService> service_;
  testing::RpcLoopback<RelationService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeRelationOverGrpc(service_, dispatcher); },
      [] { return RelationGrpcClient(); }};
  RelationService& client_ = loopback_.client();
};

TEST_F(RelationGrpcTest, FollowAndUnfollowActForTheUserInTheMetadata) {
  EXPECT_CALL(service_, Follow(7, 8)).WillOnce(Return(Ok()));
  EXPECT_CALL(service_, Unfollow(7, 9)).WillOnce(Return(Ok()));
  EXPECT_TRUE(client_.Follow(7, 8).ok());
  EXPECT_TRUE(client_.Unfollow(7, 9).ok());
}

TEST_F(RelationGrpcTest, FollowingYourselfIsInvalidArgument) {
  EXPECT_CALL(service_, Follow(7, 7))
      .WillOnce(Return(MakeError(Code::kInvalidArgument, "you can not follow yourself")));
  const Status followed = client_.Follow(7, 7);
  ASSERT_FALSE(followed.ok());
  EXPECT_EQ(followed.error().code, Code::kInvalidArgument);
  EXPECT_EQ(followed.error().message, "you can not follow yourself");
}

TEST_F(RelationGrpcTest, EachListCarriesTheSubjectAndThePageToItsOwnMethod) {
  EXPECT_CALL(service_, ListFollowing(3, ::testing::_)).WillOnce(ListAnswer(10, 5, {4, 2}));
  EXPECT_CALL(service_, ListFollowers(5, ::testing::_)).WillOnce(ListAnswer(0, 7, {6}));
  EXPECT_CALL(service_, ListFriends(6, ::testing::_)).WillOnce(ListAnswer(2, 3, {9, 1, 8}));
  EXPECT_THAT(client_.ListFollowing(3, {.offset = 10, .limit = 5}).value(), ElementsAre(4, 2));
  EXPECT_THAT(client_.ListFollowers(5, {.offset = 0, .limit = 7}).value(), ElementsAre(6));
  EXPECT_THAT(client_.ListFriends(6, {.offset = 2, .limit = 3}).value(), ElementsAre(9, 1, 8));
}

TEST_F(RelationGrpcTest, EmptyListsAreEmpty) {
  EXPECT_CALL(service_, ListFollowing(3, ::testing::_)).WillOnce(ListAnswer(0, 100, {}));
  EXPECT_CALL(service_, ListFollowers(3, ::testing::_)).WillOnce(ListAnswer(0, 100, {}));
  EXPECT_CALL(service_, ListFriends(3, ::testing::_)).WillOnce(ListAnswer(0, 100, {}));
  EXPECT_THAT(client_.ListFollowing(3, {}).value(), IsEmpty());
  EXPECT_THAT(client_.ListFollowers(3, {}).value(), IsEmpty());
  EXPECT_THAT(client_.ListFriends(3, {}).value(), IsEmpty());
}

TEST_F(RelationGrpcTest, AListOfAnUnknownUserIsNotFound) {
  EXPECT_CALL(service_, ListFollowers(404, ::testing::_))
      .WillOnce(Return(MakeError(Code::kNotFound, "this user does not exist")));
  const auto followers = client_.ListFollowers(404, {});
  ASSERT_FALSE(followers.ok());
  EXPECT_EQ(followers.error().code, Code::kNotFound);
  EXPECT_EQ(followers.error().message, "this user does not exist");
}

TEST_F(RelationGrpcTest, StatsAreForTheViewerOfTheQuery) {
  EXPECT_CALL(service_, GetStats(::testing::_, 7))
      .WillOnce([](std::span<const std::int64_t> ids, std::int64_t) -> Result<std::vector<RelationStats>> {
        EXPECT_THAT(Ids(ids), ElementsAre(3, 2));
        return std::vector<RelationStats>{
            {.user_id = 3, .follow_count = 11, .follower_count = 22, .is_follow = true},
            {.user_id = 2, .follow_count = 0, .follower_count = 5, .is_follow = false}};
      });
  const std::int64_t ids[] = {3, 2};
  const auto stats = client_.GetStats(ids, 7).value();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].user_id, 3);
  EXPECT_EQ(stats[0].follow_count, 11);
  EXPECT_EQ(stats[0].follower_count, 22);
  EXPECT_TRUE(stats[0].is_follow);
  EXPECT_EQ(stats[1].user_id, 2);
  EXPECT_EQ(stats[1].follow_count, 0);
  EXPECT_EQ(stats[1].follower_count, 5);
  EXPECT_FALSE(stats[1].is_follow);
  EXPECT_THAT(client_.GetStats({}, 0).value(), IsEmpty());  // asks nothing
}

}  // namespace
}  // namespace minitok::relation
