#include "services/user/user_service_sqlite.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace minitok::user {
namespace {

class UserServiceTest : public ::testing::Test {
 protected:
  UserServiceTest()
      : hasher_({.ops_limit = 1, .mem_limit_bytes = 8 << 20}),
        service_(std::move(sql::Database::Open({.path = dir_.File("user.db")}, Migrations()).value()), hasher_,
                 clock_) {}

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  security::PasswordHasher hasher_;
  UserServiceSqlite service_;
};

TEST_F(UserServiceTest, RegistersWithSequentialIdsAndLogsIn) {
  auto first = service_.Register("alice", "secret");
  auto second = service_.Register("bob", "secret");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*second, 2);
  auto login = service_.Login("alice", "secret");
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(*login, 1);
}

TEST_F(UserServiceTest, RefusesDuplicateNamesAndWrongPasswordsAlike) {
  ASSERT_TRUE(service_.Register("alice", "secret").ok());
  auto duplicate = service_.Register("alice", "other");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, Code::kAlreadyExists);
  auto wrong = service_.Login("alice", "wrong");
  auto unknown = service_.Login("nobody", "secret");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, Code::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);  // does not tell which names exist
}

TEST_F(UserServiceTest, ValidatesLengthsInCharactersAndEncoding) {
  EXPECT_TRUE(service_.Register(std::string(32, 'a'), std::string(32, 'p')).ok());
  EXPECT_TRUE(service_.Register("用户名用户名用户名用户名用户名用户名用户名用户名用户名用户名用户", "pw").ok());  // 31 chars
  for (const std::string& bad : {std::string(), std::string(33, 'b'), std::string("\xFF"), std::string("a\nb"),
                                 std::string(" padded")}) {
    auto result = service_.Register(bad, "pw");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, Code::kInvalidArgument);
  }
  EXPECT_FALSE(service_.Register("carol", "").ok());
  EXPECT_FALSE(service_.Register("carol", std::string(33, 'p')).ok());
}

TEST_F(UserServiceTest, GetsUsersInBatchesSkippingUnknownIds) {
  ASSERT_TRUE(service_.Register("alice", "secret").ok());
  ASSERT_TRUE(service_.Register("bob", "secret").ok());
  const std::int64_t ids[] = {2, 99, 1};
  auto users = service_.GetUsers(ids);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "bob");  // in the order asked
  EXPECT_EQ((*users)[1].name, "alice");
  // An unknown id is not remembered as unknown: it may be registered next.
  for (int i = 3; i <= 99; ++i) ASSERT_TRUE(service_.Register("user" + std::to_string(i), "secret").ok());
  auto again = service_.GetUsers(ids);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 3u);
  EXPECT_EQ((*again)[1].name, "user99");
}

}  // namespace
}  // namespace minitok::user
