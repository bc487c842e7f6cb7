#include "libs/ratelimit/token_bucket.h"

#include <gtest/gtest.h>

namespace minitok::ratelimit {
namespace {

constexpr BucketRule kThreeEverySecond{.burst = 3, .refill_every_ms = 1000};

TEST(TokenBucket, AFreshBucketAllowsItsBurstThenRefusesWithTheHonestWait) {
  std::int64_t full_at = 0;  // absent: full
  const std::int64_t now = 10'000;
  for (int i = 0; i < 3; ++i) {
    const auto decision = Peek(kThreeEverySecond, full_at, now, 1);
    ASSERT_TRUE(decision.allowed) << i;
    full_at = Take(kThreeEverySecond, full_at, now, 1);
  }
  const auto refused = Peek(kThreeEverySecond, full_at, now, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 1000);
  // One millisecond early is still refused; at the promised time it is allowed.
  EXPECT_FALSE(Peek(kThreeEverySecond, full_at, now + 999, 1).allowed);
  EXPECT_TRUE(Peek(kThreeEverySecond, full_at, now + 1000, 1).allowed);
}

TEST(TokenBucket, RefillsOneTokenPerIntervalAndNeverBeyondTheBurst) {
  std::int64_t full_at = 0;
  std::int64_t now = 50'000;
  for (int i = 0; i < 3; ++i) full_at = Take(kThreeEverySecond, full_at, now, 1);
  now += 2500;  // two whole tokens back
  int allowed = 0;
  while (Peek(kThreeEverySecond, full_at, now, 1).allowed) {
    full_at = Take(kThreeEverySecond, full_at, now, 1);
    ++allowed;
  }
  EXPECT_EQ(allowed, 2);
  EXPECT_EQ(Peek(kThreeEverySecond, full_at, now, 1).retry_after_ms, 500);
  // Idle for an hour: the bucket holds its burst, not 3,600 tokens.
  now += 3'600'000;
  allowed = 0;
  while (Peek(kThreeEverySecond, full_at, now, 1).allowed) {
    full_at = Take(kThreeEverySecond, full_at, now, 1);
    ++allowed;
  }
  EXPECT_EQ(allowed, 3);
}

TEST(TokenBucket, CostZeroAsksForOneTokenWithoutTakingIt) {
  std::int64_t full_at = 0;
  const std::int64_t now = 1'000;
  for (int i = 0; i < 2; ++i) full_at = Take(kThreeEverySecond, full_at, now, 1);
  EXPECT_TRUE(Peek(kThreeEverySecond, full_at, now, 0).allowed);
  EXPECT_EQ(Take(kThreeEverySecond, full_at, now, 0), full_at);
  full_at = Take(kThreeEverySecond, full_at, now, 1);
  const auto refused = Peek(kThreeEverySecond, full_at, now, 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 1000);
}

TEST(TokenBucket, ANegativeCostGivesTokensBackButNeverBeyondFull) {
  std::int64_t full_at = 0;
  const std::int64_t now = 7'000;
  for (int i = 0; i < 3; ++i) full_at = Take(kThreeEverySecond, full_at, now, 1);
  EXPECT_FALSE(Peek(kThreeEverySecond, full_at, now, 1).allowed);
  EXPECT_TRUE(Peek(kThreeEverySecond, full_at, now, -1).allowed);  // giving back is always allowed
  full_at = Take(kThreeEverySecond, full_at, now, -1);
  EXPECT_TRUE(Peek(kThreeEverySecond, full_at, now, 1).allowed);
  // Giving back more than was taken leaves a full bucket, not an overfull one.
  full_at = Take(kThreeEverySecond, full_at, now, -10);
  EXPECT_EQ(full_at, now);
  int allowed = 0;
  while (Peek(kThreeEverySecond, full_at, now, 1).allowed) {
    full_at = Take(kThreeEverySecond, full_at, now, 1);
    ++allowed;
  }
  EXPECT_EQ(allowed, 3);
}

TEST(TokenBucket, ZeroBurstOrRefillMeansOff) {
  EXPECT_FALSE((BucketRule{.burst = 0, .refill_every_ms = 1000}).enabled());
  EXPECT_FALSE((BucketRule{.burst = 5, .refill_every_ms = 0}).enabled());
  EXPECT_TRUE(kThreeEverySecond.enabled());
}

}  // namespace
}  // namespace minitok::ratelimit
