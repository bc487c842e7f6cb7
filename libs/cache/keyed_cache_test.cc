#include "libs/cache/keyed_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace minitok::cache {
namespace {

TEST(KeyedCacheTest, FillThenGet) {
  KeyedCache<std::string> cache(1000);
  EXPECT_FALSE(cache.Get(7));
  cache.Fill(7, "seven", cache.TicketFor(7));
  ASSERT_TRUE(cache.Get(7));
  EXPECT_EQ(*cache.Get(7), "seven");
  cache.Invalidate(7);
  EXPECT_FALSE(cache.Get(7));
}

TEST(KeyedCacheTest, AValueReadBeforeAnInvalidationIsNotStoredAfterIt) {
  KeyedCache<int> cache(1000);
  const auto ticket = cache.TicketFor(3);  // a reader is about to read the database
  cache.Invalidate(3);                     // a write commits meanwhile
  cache.Fill(3, 41, ticket);               // the reader's value may predate the write
  EXPECT_FALSE(cache.Get(3));
  cache.Fill(3, 42, cache.TicketFor(3));   // a read that started after the write is kept
  EXPECT_EQ(cache.Get(3), 42);
}

TEST(KeyedCacheTest, StaysWithinItsWeightAndKeepsWhatIsUsed) {
  constexpr std::size_t kBound = 64;
  KeyedCache<int> cache(kBound, 1);
  cache.Fill(0, 0, cache.TicketFor(0));
  for (int key = 1; key < 1000; ++key) {
    cache.Fill(key, key, cache.TicketFor(key));
    ASSERT_EQ(cache.Get(0), 0) << "a key read all along was evicted at " << key;
  }
  int cached = 0;
  for (int key = 0; key < 1000; ++key) cached += cache.Get(key) ? 1 : 0;
  EXPECT_LE(cached, static_cast<int>(kBound) + 1);
  EXPECT_GE(cached, static_cast<int>(kBound) / 2);
}

TEST(KeyedCacheTest, TooHeavyValuesAreNotCached) {
  KeyedCache<int> cache(100, 1);
  cache.Fill(1, 1, cache.TicketFor(1), 51);
  EXPECT_FALSE(cache.Get(1));
  cache.Fill(1, 1, cache.TicketFor(1), 50);
  EXPECT_TRUE(cache.Get(1));
}

TEST(KeyedCacheTest, GetManyLoadsOnlyTheMissingIdsOnceAndKeepsOrder) {
  KeyedCache<int> cache(1000);
  cache.Fill(2, 20, cache.TicketFor(2));
  std::vector<std::int64_t> asked;
  const auto load = [&](std::span<const std::int64_t> ids) -> Result<std::vector<std::optional<int>>> {
    std::vector<std::optional<int>> out;
    for (const auto id : ids) {
      asked.push_back(id);
      out.push_back(id == 4 ? std::nullopt : std::optional<int>(static_cast<int>(id) * 10));
    }
    return out;
  };
  const std::int64_t ids[] = {3, 2, 4};
  auto first = GetMany(cache, ids, load);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)[0], 30);
  EXPECT_EQ((*first)[1], 20);
  EXPECT_FALSE((*first)[2]);
  EXPECT_EQ(asked, (std::vector<std::int64_t>{3, 4}));
  asked.clear();
  auto second = GetMany(cache, ids, load);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(asked, (std::vector<std::int64_t>{4}));  // absent rows are asked again, never cached
}

TEST(KeyedCacheTest, GetManyPassesLoadErrorsOn) {
  KeyedCache<int> cache(1000);
  const std::int64_t ids[] = {1};
  auto failed = GetMany(cache, ids, [](std::span<const std::int64_t>) -> Result<std::vector<std::optional<int>>> {
    return MakeError(Code::kUnavailable, "database busy");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Code::kUnavailable);
  EXPECT_FALSE(cache.Get(1));
}

TEST(KeyedCacheTest, WarmFillsFromOneReadButAWriteDuringItWins) {
  KeyedCache<int> cache(1000);
  std::int64_t asked_limit = 0;
  auto warmed = Warm(cache, [&](std::int64_t limit) -> Result<std::vector<std::pair<std::int64_t, int>>> {
    asked_limit = limit;
    cache.Invalidate(2);  // a write commits while the warm-up reads
    return std::vector<std::pair<std::int64_t, int>>{{1, 10}, {2, 20}, {3, 30}};
  });
  ASSERT_TRUE(warmed.ok());
  EXPECT_EQ(*warmed, 3u);
  EXPECT_GT(asked_limit, 0);
  EXPECT_LE(asked_limit, 1000);
  EXPECT_EQ(cache.Get(1), 10);
  EXPECT_FALSE(cache.Get(2)) << "the value read before the write must not be kept";
  EXPECT_EQ(cache.Get(3), 30);
}

}  // namespace
}  // namespace minitok::cache
