#include "services/relation/relation_service_sqlite.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/fakes.h"
#include "tests/support/temp_dir.h"

namespace minitok::relation {
namespace {

class RelationServiceTest : public ::testing::Test {
 protected:
  RelationServiceTest()
      : service_(std::move(sql::Database::Open({.path = dir_.File("relation.db")}, Migrations()).value()), users_,
                 clock_) {
    for (int id = 1; id <= 4; ++id) users_.Add(id, "u" + std::to_string(id));
  }
  RelationStats Stats(std::int64_t user, std::int64_t viewer) {
    const std::int64_t ids[] = {user};
    return service_.GetStats(ids, viewer).value().front();
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  testing::FakeUserService users_;
  RelationServiceSqlite service_;
};

TEST_F(RelationServiceTest, FollowIsIdempotentAndCounted) {
  ASSERT_TRUE(service_.Follow(1, 2).ok());
  ASSERT_TRUE(service_.Follow(1, 2).ok());
  EXPECT_EQ(Stats(1, 0).follow_count, 1);
  EXPECT_EQ(Stats(2, 0).follower_count, 1);
  EXPECT_TRUE(Stats(2, 1).is_follow);
  EXPECT_FALSE(Stats(1, 2).is_follow);
  ASSERT_TRUE(service_.Unfollow(1, 2).ok());
  ASSERT_TRUE(service_.Unfollow(1, 2).ok());
  EXPECT_EQ(Stats(1, 0).follow_count, 0);
  EXPECT_EQ(Stats(2, 0).follower_count, 0);
  EXPECT_FALSE(Stats(2, 1).is_follow);  // the viewer's cached follows were dropped on change
}

TEST_F(RelationServiceTest, CachedCountsStayExactUnderConcurrentFollows) {
  for (int id = 5; id <= 20; ++id) users_.Add(id, "u" + std::to_string(id));
  std::atomic<bool> writing{true};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([this, r, &writing] {
      while (writing.load()) {
        EXPECT_GE(Stats(1, r + 5).follower_count, 0);
        EXPECT_GE(Stats(r + 5, 0).follow_count, 0);
      }
    });
  }
  std::vector<std::thread> writers;
  for (int user = 5; user <= 20; ++user) {
    writers.emplace_back([this, user] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(service_.Follow(user, 1).ok());
        EXPECT_TRUE(service_.Unfollow(user, 1).ok());
      }
      if (user % 2 == 1) {
        EXPECT_TRUE(service_.Follow(user, 1).ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  writing = false;
  for (auto& t : readers) t.join();
  EXPECT_EQ(Stats(1, 0).follower_count, 8);
  for (int user = 5; user <= 20; ++user) {
    EXPECT_EQ(Stats(1, user).is_follow, user % 2 == 1) << user;
    EXPECT_EQ(Stats(user, 0).follow_count, user % 2 == 1 ? 1 : 0) << user;
  }
}

TEST_F(RelationServiceTest, RefusesSelfAndUnknownUsers) {
  EXPECT_EQ(service_.Follow(1, 1).error().code, Code::kInvalidArgument);
  EXPECT_EQ(service_.Follow(1, 99).error().code, Code::kNotFound);
  EXPECT_EQ(service_.ListFollowers(99, {}).error().code, Code::kNotFound);
}

TEST_F(RelationServiceTest, ListsNewestFirstAndFriendsAreMutual) {
  ASSERT_TRUE(service_.Follow(1, 2).ok());
  ASSERT_TRUE(service_.Follow(1, 3).ok());
  ASSERT_TRUE(service_.Follow(3, 1).ok());
  ASSERT_TRUE(service_.Follow(4, 1).ok());
  EXPECT_EQ(service_.ListFollowing(1, {0, 100}).value(), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(service_.ListFollowers(1, {0, 100}).value(), (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(service_.ListFriends(1, {0, 100}).value(), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(service_.ListFriends(3, {0, 100}).value(), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(service_.ListFollowing(1, {1, 1}).value(), (std::vector<std::int64_t>{2}));
}

}  // namespace
}  // namespace minitok::relation
