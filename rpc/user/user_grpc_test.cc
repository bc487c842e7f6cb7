// The user adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/user/user_grpc.h"

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

TEST_F(UserGrpcTest, GetUsersCarriesTheIdsInOrderAndEveryField) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(5, 2, 9));
        return std::vector<UserProfile>{{.id = 2, .name = "bob", .signature = "hi there"},
                                        {.id = 5, .name = "alice", .signature = ""}};
      });
  const std::int64_t ids[] = {5, 2, 9};
  const auto users = client_.GetUsers(ids).value();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].id, 2);
  EXPECT_EQ(users[0].name, "bob");
  EXPECT_EQ(users[0].signature, "hi there");
  EXPECT_EQ(users[1].id, 5);
  EXPECT_EQ(users[1].name, "alice");
  EXPECT_EQ(users[1].signature, "");
}

TEST_F(UserGrpcTest, GetUsersOfNoneOrUnknownIdsIsEmpty) {
  EXPECT_CALL(service_, GetUsers(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), IsEmpty());
        return std::vector<UserProfile>{};
      })
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<UserProfile>> {
        EXPECT_THAT(Ids(ids), ElementsAre(404));
        return std::vector<UserProfile>{};
      });
  EXPECT_THAT(client_.GetUsers({}).value(), IsEmpty());
  const std::int64_t unknown[] = {404};
  EXPECT_THAT(client_.GetUsers(unknown).value(), IsEmpty());
}

}  // namespace
}  // namespace minitok::user
