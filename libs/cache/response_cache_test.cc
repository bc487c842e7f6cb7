#include "libs/cache/response_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "libs/cache/data_version.h"

namespace minitok::cache {
namespace {

TEST(ResponseCacheTest, ServesOnlyTheVersionAnEntryWasComputedAt) {
  ResponseCache cache(100);
  DataVersion version;
  const auto v1 = version.Current();
  cache.Put("feed", v1, "body-1");
  ASSERT_NE(cache.Get("feed", v1), nullptr);
  EXPECT_EQ(*cache.Get("feed", v1), "body-1");
  version.Bump();
  EXPECT_EQ(cache.Get("feed", version.Current()), nullptr);
  EXPECT_EQ(cache.Get("feed", v1), nullptr);  // the stale entry was dropped
  EXPECT_EQ(cache.Get("other", version.Current()), nullptr);
}

TEST(ResponseCacheTest, AnAnswerComputedAcrossAWriteIsNeverServedAfterIt) {
  ResponseCache cache(100);
  DataVersion version;
  const auto started = version.Current();  // a read begins
  version.Bump();                          // a write commits meanwhile
  cache.Put("feed", started, "maybe stale");
  EXPECT_EQ(cache.Get("feed", version.Current()), nullptr);
}

TEST(ResponseCacheTest, AnOlderAnswerDoesNotReplaceANewerOne) {
  ResponseCache cache(100);
  cache.Put("k", 5, "new");
  cache.Put("k", 4, "old");
  ASSERT_NE(cache.Get("k", 5), nullptr);
  EXPECT_EQ(*cache.Get("k", 5), "new");
}

TEST(ResponseCacheTest, StaysWithinItsBound) {
  ResponseCache cache(16, 4);
  for (int i = 0; i < 1000; ++i) cache.Put("key" + std::to_string(i), 1, "x");
  int present = 0;
  for (int i = 0; i < 1000; ++i) present += cache.Get("key" + std::to_string(i), 1) != nullptr ? 1 : 0;
  EXPECT_LE(present, 16);
  EXPECT_GE(present, 4);
}

TEST(ResponseCacheTest, ANewBoundAppliesAsEntriesAreStoredAndZeroStopsStoring) {
  ResponseCache cache(64, 4);
  const auto present = [&](int from, int to) {
    int n = 0;
    for (int i = from; i < to; ++i) n += cache.Get("key" + std::to_string(i), 1) != nullptr ? 1 : 0;
    return n;
  };
  for (int i = 0; i < 64; ++i) cache.Put("key" + std::to_string(i), 1, "x");
  EXPECT_GT(present(0, 64), 16);
  cache.SetMaxEntries(8);
  for (int i = 64; i < 1000; ++i) cache.Put("key" + std::to_string(i), 1, "x");
  EXPECT_LE(present(0, 1000), 8);
  cache.SetMaxEntries(0);
  cache.Put("off", 1, "x");
  EXPECT_EQ(cache.Get("off", 1), nullptr);
  cache.SetMaxEntries(100);
  cache.Put("on", 1, "x");
  EXPECT_NE(cache.Get("on", 1), nullptr);
}

TEST(ResponseCacheTest, IsSafeUnderConcurrentUse) {
  ResponseCache cache(64);
  DataVersion version;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto v = version.Current();
        cache.Put("k" + std::to_string(i % 32), v, std::to_string(t));
        (void)cache.Get("k" + std::to_string((i + 7) % 32), v);
        if (i % 100 == 0) version.Bump();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 32; ++i) {
    const auto body = cache.Get("k" + std::to_string(i), version.Current());
    if (body != nullptr) {
      EXPECT_TRUE(*body == "0" || *body == "1" || *body == "2" || *body == "3") << *body;
    }
  }
}

}  // namespace
}  // namespace minitok::cache
