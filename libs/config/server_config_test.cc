#include "libs/config/server_config.h"

#include <gtest/gtest.h>

namespace minitok::config {
namespace {

TEST(ServerConfigTest, MergesKnownKeys) {
  ServerConfig c;
  ASSERT_TRUE(MergeJsonText(R"({"listen":"0.0.0.0:9000","token_ttl_seconds":5,"demo_content":false})", c).ok());
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.token_ttl_seconds, 5);
  EXPECT_FALSE(c.demo_content);
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ServerConfigTest, ABodyThatStopsArrivingIsCutWithinNginxsDefaultMinute) {
  EXPECT_LE(ServerConfig{}.body_timeout_ms, 60000);
}

TEST(ServerConfigTest, DurabilityIsCrashByDefaultOrPowerLossAndNothingElse) {
  ServerConfig c;
  EXPECT_EQ(c.durability, "crash");
  ASSERT_TRUE(MergeJsonText(R"({"durability":"power-loss"})", c).ok());
  EXPECT_TRUE(Validate(c).ok());
  ASSERT_TRUE(MergeJsonText(R"({"durability":"fsync"})", c).ok());
  EXPECT_FALSE(Validate(c).ok());
}

TEST(ServerConfigTest, RefusesUnknownKeysWrongTypesAndBadRanges) {
  ServerConfig c;
  EXPECT_FALSE(MergeJsonText(R"({"lsten":"x"})", c).ok());
  EXPECT_FALSE(MergeJsonText(R"({"token_ttl_seconds":"5"})", c).ok());
  EXPECT_FALSE(MergeJsonText(R"([1])", c).ok());
  EXPECT_FALSE(MergeJsonText(R"({"a":)", c).ok());
  ServerConfig zero;
  zero.worker_threads = 0;
  EXPECT_FALSE(Validate(zero).ok());
  ServerConfig short_secret;
  short_secret.jwt_secret = "short";
  EXPECT_FALSE(Validate(short_secret).ok());
}

TEST(ServerConfigTest, RateLimitsHaveDefaultsAndTheFileChangesOnlyWhatItNames) {
  ServerConfig c;
  EXPECT_EQ(c.rate_limits.at("login").burst, 60);
  EXPECT_EQ(c.rate_limits.at("reads").burst, 0);  // off
  ASSERT_TRUE(MergeJsonText(R"({"rate_limits":{"comment":{"burst":2},"reads":{"burst":500,"refill_every_ms":1}},
                                "trusted_proxies":["10.0.0.0/8","::1"],"redis":"redis://127.0.0.1:6379"})",
                            c)
                  .ok());
  EXPECT_EQ(c.rate_limits.at("comment").burst, 2);
  EXPECT_EQ(c.rate_limits.at("comment").refill_every_ms, 1000);  // kept from the default
  EXPECT_EQ(c.rate_limits.at("reads").burst, 500);
  EXPECT_EQ(c.rate_limits.at("like").burst, 300);
  EXPECT_EQ(c.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(c.redis, "redis://127.0.0.1:6379");
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ServerConfigTest, RateLimitsRefuseUnknownNamesAndNonsense) {
  for (const char* bad : {R"({"rate_limits":{"comments":{"burst":1}}})", R"({"rate_limits":{"login":{"brust":1}}})",
                          R"({"rate_limits":{"login":{"burst":-1}}})", R"({"rate_limits":{"login":5}})",
                          R"({"rate_limits":[]})", R"({"trusted_proxies":"10.0.0.0/8"})",
                          R"({"trusted_proxies":[1]})"}) {
    ServerConfig c;
    EXPECT_FALSE(MergeJsonText(bad, c).ok()) << bad;
  }
  ServerConfig no_refill;
  no_refill.rate_limits["login"] = {.burst = 5, .refill_every_ms = 0};
  EXPECT_FALSE(Validate(no_refill).ok());
  ServerConfig huge;
  huge.rate_limits["login"] = {.burst = 5, .refill_every_ms = 2'000'000'000};
  EXPECT_FALSE(Validate(huge).ok());
  ServerConfig beyond_lua;  // each within 10^9, the product beyond 2^53
  beyond_lua.rate_limits["login"] = {.burst = 1'000'000'000, .refill_every_ms = 10'000'000};
  EXPECT_FALSE(Validate(beyond_lua).ok());
  ServerConfig off;
  off.rate_limits["login"] = {.burst = 0, .refill_every_ms = 0};
  EXPECT_TRUE(Validate(off).ok());
}

TEST(ServerConfigTest, LiveValuesChangeOnlyTheLiveKeys) {
  ServerConfig c;
  ASSERT_TRUE(MergeLiveJsonText(R"({"log_level":"warn","rate_limits":{"comment":{"burst":2}}})", c).ok());
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.rate_limits.at("comment").burst, 2);
  EXPECT_EQ(c.rate_limits.at("comment").refill_every_ms, 1'000);  // the rest of the limit is kept
  EXPECT_TRUE(Validate(c).ok());
  for (const char* not_live : {R"({"listen":"0.0.0.0:80"})", R"({"log_level":"warn","worker_threads":64})"}) {
    ServerConfig before;
    const auto merged = MergeLiveJsonText(not_live, before);
    ASSERT_FALSE(merged.ok()) << not_live;
    EXPECT_NE(merged.error().message.find("cannot change while serving"), std::string::npos);
    EXPECT_EQ(before.log_level, "info") << "nothing of a refused value is applied";
  }
  EXPECT_FALSE(MergeLiveJsonText("not json", c).ok());
}

TEST(ServerConfigTest, AMediaLeaseOutlastsTheTwoSecondsBetweenReports) {
  ServerConfig c;
  c.media_lease_ms = 2999;
  EXPECT_FALSE(Validate(c).ok());
  c.media_lease_ms = 3000;
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ServerConfigTest, LogLevelIsOneOfThree) {
  for (const char* level : {"info", "warn", "error"}) {
    ServerConfig c;
    c.log_level = level;
    EXPECT_TRUE(Validate(c).ok()) << level;
  }
  ServerConfig loud;
  loud.log_level = "debug";
  const auto refused = Validate(loud);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("log_level"), std::string::npos);
}

}  // namespace
}  // namespace minitok::config
