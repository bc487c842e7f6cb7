// The user adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/user/user_grpc.h"

#include <algorithm>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/core/non_blocking.h"
#include "tests/support/rpc_loopback.h"

namespace minitok::user {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Return;

class MockUserService : public UserService {
 public:
  MOCK_METHOD(Result<std::int64_t>, Register, (std::string_view, std::string_view), (override));
  MOCK_METHOD(Result<std::int64_t>, Login, (std::string_view, std::string_view), (override));
  MOCK_METHOD(Result<std::vector<UserProfile>>, GetUsers, (std::span<const std::int64_t>), (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

class UserGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockUserService> service_;
  testing::RpcLoopback<UserService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeUserOverGrpc(service_, dispatcher, dispatcher); },
      [] { return UserGrpcClient(); }};
  UserService& client_ = loopback_.client();
};

TEST_F(UserGrpcTest, RegisterCarriesTheCredentialsAndReturnsTheNewId) {
  EXPECT_CALL(service_, Register("alice", "s3cret pass")).WillOnce([](std::string_view, std::string_view) {
    EXPECT_FALSE(NonBlockingScope::RefuseBlocking()) << "hashing a password must run on a worker";
    return Result<std::int64_t>(41);
  });
  const auto id = client_.Register("alice", "s3cret pass");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, 41);
}

TEST_F(UserGrpcTest, ATakenNameIsAlreadyExists) {
  EXPECT_CALL(service_, Register("alice", "pw"))
      .WillOnce(Return(MakeError(Code::kAlreadyExists, "this name is taken")));
  const auto id = client_.Register("alice", "pw");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, Code::kAlreadyExists);
  EXPECT_EQ(id.error().message, "this name is taken");
}

TEST_F(UserGrpcTest, LoginCarriesTheCredentialsAndReturnsTheId) {
  EXPECT_CALL(service_, Login("bob", "hunter2")).WillOnce([](std::string_view, std::string_view) {
    EXPECT_FALSE(NonBlockingScope::RefuseBlocking()) << "checking a password must run on a worker";
    return Result<std::int64_t>(7);
  });
  const auto id = client_.Login("bob", "hunter2");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, 7);
}

TEST_F(UserGrpcTest, AWrongPasswordIsUnauthenticated) {
  EXPECT_CALL(service_, Login("bob", "wrong"))
      .WillOnce(Return(MakeError(Code::kUnauthenticated, "wrong name or password")));
  const auto id = client_.Login("bob", "wrong");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, Code::kUnauthenticated);
  EXPECT_EQ(id.error().message, "wrong name or password");
}

TEST_F(UserGrpcTest, NonAsciiCredentialsArriveIntact) {
  EXPECT_CALL(service_, Login("名字", "пароль")).WillOnce(Return(Result<std::int64_t>(3)));
  EXPECT_EQ(client_.Login("名字", "пароль").value(), 3);
}

TEST_F(UserGrpcTest, GetUsersAnswersTheProfilesFoundInTheOrderAskedWithEveryField) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(5, 2, 9));
        return std::vector<UserProfile>{{.id = 2, .name = "bob", .signature = "hi there"},
                                        {.id = 5, .name = "alice", .signature = ""}};
      });
  const std::int64_t ids[] = {5, 2, 9};
  const auto users = client_.GetUsers(ids).value();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].id, 5);
  EXPECT_EQ(users[0].name, "alice");
  EXPECT_EQ(users[0].signature, "");
  EXPECT_EQ(users[1].id, 2);
  EXPECT_EQ(users[1].name, "bob");
  EXPECT_EQ(users[1].signature, "hi there");
}

TEST_F(UserGrpcTest, GetUsersOfNoneIsEmptyWithoutACallAndUnknownIdsAreAskedEachTime) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .Times(2)
      .WillRepeatedly([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(404));
        return std::vector<UserProfile>{};
      });
  EXPECT_THAT(client_.GetUsers({}).value(), IsEmpty());
  const std::int64_t unknown[] = {404};
  EXPECT_THAT(client_.GetUsers(unknown).value(), IsEmpty());
  // Not found is not kept: the id may be registered later.
  EXPECT_THAT(client_.GetUsers(unknown).value(), IsEmpty());
}

std::vector<std::int64_t> SortedIds(const std::vector<UserProfile>& users) {
  std::vector<std::int64_t> ids;
  for (const auto& user : users) ids.push_back(user.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(UserGrpcTest, ProfilesFoundAreKeptSoThatOnlyNewIdsTravel) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(1, 2));
        return std::vector<UserProfile>{{.id = 1, .name = "ann", .signature = "a"},
                                        {.id = 2, .name = "ben", .signature = "b"}};
      })
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(3));
        return std::vector<UserProfile>{{.id = 3, .name = "cat", .signature = "c"}};
      });
  const std::int64_t first[] = {1, 2};
  EXPECT_THAT(SortedIds(client_.GetUsers(first).value()), ElementsAre(1, 2));
  const std::int64_t kept[] = {2, 1};
  const auto again = client_.GetUsers(kept).value();
  EXPECT_THAT(SortedIds(again), ElementsAre(1, 2));
  for (const auto& user : again) EXPECT_EQ(user.name, user.id == 1 ? "ann" : "ben");
  const std::int64_t mixed[] = {2, 3};
  EXPECT_THAT(SortedIds(client_.GetUsers(mixed).value()), ElementsAre(2, 3));
}

TEST_F(UserGrpcTest, StartedLookupsInFlightTogetherEachGetTheirOwnAnswer) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .Times(2)
      .WillRepeatedly([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        return std::vector<UserProfile>{{.id = ids[0], .name = "u" + std::to_string(ids[0])}};
      });
  const std::int64_t a[] = {10};
  const std::int64_t b[] = {20};
  auto first = client_.StartGetUsers(a);
  auto second = client_.StartGetUsers(b);
  const auto second_users = std::move(second).Get().value();
  const auto first_users = std::move(first).Get().value();
  ASSERT_EQ(first_users.size(), 1u);
  EXPECT_EQ(first_users[0].name, "u10");
  ASSERT_EQ(second_users.size(), 1u);
  EXPECT_EQ(second_users[0].name, "u20");
}

TEST_F(UserGrpcTest, AStartedLookupDroppedUnreadLeavesNothingBehind) {
  // The dropped call is cancelled; whether its server saw it first is a race.
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .Times(::testing::Between(1, 2))
      .WillRepeatedly([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        return std::vector<UserProfile>{{.id = ids[0], .name = "u" + std::to_string(ids[0])}};
      });
  const std::int64_t ids[] = {8};
  { auto dropped = client_.StartGetUsers(ids); }
  // The client still works: the dropped call was cancelled and drained, not left on its queue.
  const std::int64_t next[] = {9};
  EXPECT_EQ(client_.GetUsers(next).value().at(0).name, "u9");
}

TEST_F(UserGrpcTest, StartOnAnEventLoopIsRefusedWithoutACall) {
  const std::int64_t ids[] = {1};
  NonBlockingScope loop;
  const auto users = client_.StartGetUsers(ids).Get();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().code, Code::kWouldBlock);
}

}  // namespace
}  // namespace minitok::user
