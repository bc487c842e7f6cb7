#include "libs/ratelimit/local_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace minitok::ratelimit {
namespace {

constexpr BucketRule kTwoPerSecond{.burst = 2, .refill_every_ms = 500};

struct ManualTime {
  std::atomic<std::int64_t> now_ms{1'000'000};
  std::function<std::int64_t()> Source() {
    return [this] { return now_ms.load(); };
  }
};

Check Take(std::string limit, std::string subject, BucketRule rule = kTwoPerSecond) {
  return {.limit = std::move(limit), .rule = rule, .subject = std::move(subject), .cost = 1};
}

TEST(LocalLimiter, SubjectsAndLimitsHaveTheirOwnBuckets) {
  ManualTime time;
  LocalLimiter limiter({.now_ms = time.Source()});
  const Check alice = Take("comment", "1");
  EXPECT_TRUE(limiter.DecideNow({&alice, 1}).allowed);
  EXPECT_TRUE(limiter.DecideNow({&alice, 1}).allowed);
  const Verdict refused = limiter.DecideNow({&alice, 1});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 500);
  const Check bob = Take("comment", "2");
  EXPECT_TRUE(limiter.DecideNow({&bob, 1}).allowed);
  const Check alice_likes = Take("like", "1");
  EXPECT_TRUE(limiter.DecideNow({&alice_likes, 1}).allowed);
  time.now_ms += 500;
  EXPECT_TRUE(limiter.DecideNow({&alice, 1}).allowed);
}

TEST(LocalLimiter, AllOrNothingAcrossChecksAndTheLongestWaitIsReported) {
  ManualTime time;
  LocalLimiter limiter({.now_ms = time.Source()});
  const BucketRule one_per_minute{.burst = 1, .refill_every_ms = 60'000};
  const Check gate = {.limit = "login_failures", .rule = one_per_minute, .subject = "127.0.0.1 alice", .cost = 1};
  ASSERT_TRUE(limiter.DecideNow({&gate, 1}).allowed);  // one failure recorded: the pair is empty

  std::vector<Check> login{Take("login", "127.0.0.1"),
                           {.limit = "login_failures", .rule = one_per_minute, .subject = "127.0.0.1 alice", .cost = 0}};
  const Verdict verdict = limiter.DecideNow(login);
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.refused_check, 1u);
  EXPECT_EQ(verdict.retry_after_ms, 60'000);
  // The refused request took nothing from the address's bucket: two logins still pass.
  const Check address = Take("login", "127.0.0.1");
  EXPECT_TRUE(limiter.DecideNow({&address, 1}).allowed);
  EXPECT_TRUE(limiter.DecideNow({&address, 1}).allowed);
  EXPECT_FALSE(limiter.DecideNow({&address, 1}).allowed);
}

TEST(LocalLimiter, ConcurrentCallersNeverGetMoreThanTheBurst) {
  ManualTime time;
  LocalLimiter limiter({.now_ms = time.Source()});
  const Check check = Take("like", "7", {.burst = 1000, .refill_every_ms = 1'000'000});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.DecideNow({&check, 1}).allowed) ++allowed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(LocalLimiter, MemoryIsBoundedIdleBucketsGoFirst) {
  ManualTime time;
  LocalLimiter limiter({.max_keys = 1000, .shards = 4, .now_ms = time.Source()});
  // A flood of distinct addresses, each taking one token: the map never passes its bound.
  for (int i = 0; i < 20'000; ++i) {
    const Check check = Take("register", "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    ASSERT_TRUE(limiter.DecideNow({&check, 1}).allowed);
    ASSERT_LE(limiter.size(), 1000u);
  }
  EXPECT_GT(limiter.forgiven(), 0u);
  // Once their buckets are full again, keys cost nothing to forget: the sweeps drop them
  // instead of forgiving anyone.
  time.now_ms += kTwoPerSecond.span_ms();
  const std::uint64_t forgiven_before = limiter.forgiven();
  for (int i = 0; i < 500; ++i) {
    const Check check = Take("register", "fresh-" + std::to_string(i));
    ASSERT_TRUE(limiter.DecideNow({&check, 1}).allowed);
  }
  EXPECT_LE(limiter.size(), 1000u);
  EXPECT_EQ(limiter.forgiven(), forgiven_before);
}

TEST(LocalLimiter, AKeyInUseKeepsItsBucketWhileTheFloodIsForgiven) {
  ManualTime time;
  LocalLimiter limiter({.max_keys = 400, .shards = 1, .now_ms = time.Source()});
  const BucketRule slow{.burst = 2, .refill_every_ms = 3'600'000};
  const Check abuser = Take("comment", "abuser", slow);
  ASSERT_TRUE(limiter.DecideNow({&abuser, 1}).allowed);
  ASSERT_TRUE(limiter.DecideNow({&abuser, 1}).allowed);
  // Others arrive later, each one token short of full: closer to full than the empty bucket.
  for (int i = 0; i < 2000; ++i) {
    time.now_ms += 1;
    const Check other = Take("comment", "user-" + std::to_string(i), slow);
    ASSERT_TRUE(limiter.DecideNow({&other, 1}).allowed);
  }
  EXPECT_FALSE(limiter.DecideNow({&abuser, 1}).allowed);
}

TEST(LocalLimiter, AlwaysDecidesAtOnce) {
  LocalLimiter limiter({.now_ms = [] { return std::int64_t{1'000}; }});
  const Check follow = Take("follow", "3");
  const auto verdict = limiter.TryDecide({&follow, 1});
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->allowed);
  std::optional<Verdict> later;
  limiter.DecideLater({follow}, [&](Verdict v) { later = v; });
  ASSERT_TRUE(later.has_value());  // called from the call itself
  EXPECT_TRUE(later->allowed);
  EXPECT_FALSE(limiter.DecideAndWait({follow}).allowed);  // the burst of 2 is spent
}

}  // namespace
}  // namespace minitok::ratelimit
