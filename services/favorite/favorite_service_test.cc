#include "services/favorite/favorite_service_sqlite.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/fakes.h"
#include "tests/support/temp_dir.h"

namespace minitok::favorite {
namespace {

class FavoriteServiceTest : public ::testing::Test {
 protected:
  FavoriteServiceTest()
      : service_(std::move(sql::Database::Open({.path = dir_.File("favorite.db"), .readers = 4}, Migrations()).value()),
                 videos_, clock_) {
    videos_.Add(10, 100);  // video 10 by user 100
    videos_.Add(11, 100);
    videos_.Add(12, 200, video::VideoState::kProcessing);
  }

  VideoFavoriteStats VideoStats(std::int64_t video, std::int64_t viewer) {
    const std::int64_t ids[] = {video};
    return service_.GetVideoStats(ids, viewer).value().front();
  }
  UserFavoriteStats UserStats(std::int64_t user) {
    const std::int64_t ids[] = {user};
    return service_.GetUserStats(ids).value().front();
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  testing::FakeVideoService videos_;
  FavoriteServiceSqlite service_;
};

TEST_F(FavoriteServiceTest, LikeAndUnlikeAreIdempotentAndCountersFollow) {
  ASSERT_TRUE(service_.Like(1, 10).ok());
  ASSERT_TRUE(service_.Like(1, 10).ok());
  EXPECT_EQ(VideoStats(10, 1).favorite_count, 1);
  EXPECT_TRUE(VideoStats(10, 1).is_favorite);
  EXPECT_FALSE(VideoStats(10, 2).is_favorite);
  EXPECT_FALSE(VideoStats(10, 0).is_favorite);
  EXPECT_EQ(UserStats(1).favorite_count, 1);
  EXPECT_EQ(UserStats(100).total_favorited, 1);

  ASSERT_TRUE(service_.Unlike(1, 10).ok());
  ASSERT_TRUE(service_.Unlike(1, 10).ok());
  EXPECT_EQ(VideoStats(10, 1).favorite_count, 0);
  EXPECT_EQ(UserStats(1).favorite_count, 0);
  EXPECT_EQ(UserStats(100).total_favorited, 0);
}

TEST_F(FavoriteServiceTest, RefusesUnknownAndUnreadyVideos) {
  auto missing = service_.Like(1, 999);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::kNotFound);
  EXPECT_FALSE(service_.Like(1, 12).ok());
  EXPECT_EQ(UserStats(1).favorite_count, 0);
}

TEST_F(FavoriteServiceTest, ListsNewestLikeFirstWithPaging) {
  ASSERT_TRUE(service_.Like(1, 10).ok());
  clock_.Advance(5);
  ASSERT_TRUE(service_.Like(1, 11).ok());
  auto all = service_.ListLikedVideos(1, {0, 100});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::int64_t>{11, 10}));
  auto second = service_.ListLikedVideos(1, {1, 1});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (std::vector<std::int64_t>{10}));
}

TEST_F(FavoriteServiceTest, CountsStayExactUnderConcurrentLikes) {
  // Readers fill the caches all along: a value read before a write must never outlive it.
  std::atomic<bool> writing{true};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([this, r, &writing] {
      while (writing.load()) {
        EXPECT_GE(VideoStats(10, r * 6 + 1).favorite_count, 0);
        EXPECT_GE(UserStats(100).total_favorited, 0);
        EXPECT_GE(UserStats(r * 6 + 2).favorite_count, 0);
      }
    });
  }
  std::vector<std::thread> threads;
  for (int user = 1; user <= 24; ++user) {
    threads.emplace_back([this, user] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(service_.Like(user, 10).ok());
        if (user % 2 == 0) {
          EXPECT_TRUE(service_.Unlike(user, 10).ok());
        }
      }
      EXPECT_TRUE(service_.Like(user, 10).ok());
    });
  }
  for (auto& t : threads) t.join();
  writing = false;
  for (auto& t : readers) t.join();
  EXPECT_EQ(VideoStats(10, 0).favorite_count, 24);
  EXPECT_EQ(UserStats(100).total_favorited, 24);
  for (int user = 1; user <= 24; ++user) {
    EXPECT_TRUE(VideoStats(10, user).is_favorite) << user;
    EXPECT_EQ(UserStats(user).favorite_count, 1) << user;
  }
}

// An anonymous answer is stored under the version read before it was built. If the version moved
// before this service dropped its cached counters, an answer built in between from a stale
// counter would be stored under the new version and served until the next change anywhere.
// Here a reader runs exactly in that gap (after the commit, before Like returns).
TEST(FavoritePublicChangesTest, TheVersionMovesOnlyAfterTheCachedCountersAreFresh) {
  testing::TempDir dir;
  ManualClock clock{1'700'000'000'000};
  testing::FakeVideoService videos;
  videos.Add(10, 100);
  cache::DataVersion version;
  FavoriteServiceSqlite* service = nullptr;
  struct SeenInTheGap {
    std::uint64_t version = 0;
    std::int64_t favorite_count = -1;
  };
  std::vector<SeenInTheGap> seen;
  const std::int64_t video[] = {10};
  auto db = sql::Database::Open({.path = dir.File("favorite.db"),
                                 .after_commit =
                                     [&] {
                                       if (service == nullptr) return;
                                       const auto stats = service->GetVideoStats(video, 0).value();
                                       seen.push_back({version.Current(), stats.front().favorite_count});
                                     }},
                                Migrations());
  ASSERT_TRUE(db.ok());
  FavoriteServiceSqlite favorites(std::move(*db), videos, clock, &version);
  service = &favorites;
  ASSERT_EQ(favorites.GetVideoStats(video, 0).value().front().favorite_count, 0);  // cached: 0
  const std::uint64_t before = version.Current();
  ASSERT_TRUE(favorites.Like(1, 10).ok());
  ASSERT_EQ(seen.size(), 1u);
  // In the gap the cache may still say 0, but then the version is still the old one ...
  EXPECT_EQ(seen[0].version, before);
  // ... which is no longer current once the like is acknowledged, and the count is fresh.
  EXPECT_NE(version.Current(), before);
  EXPECT_EQ(favorites.GetVideoStats(video, 0).value().front().favorite_count, 1);
  // A like that changes nothing moves nothing.
  const std::uint64_t after_like = version.Current();
  ASSERT_TRUE(favorites.Like(1, 10).ok());
  EXPECT_EQ(version.Current(), after_like);
  ASSERT_TRUE(favorites.Unlike(2, 10).ok());  // never liked
  EXPECT_EQ(version.Current(), after_like);
}

}  // namespace
}  // namespace minitok::favorite
