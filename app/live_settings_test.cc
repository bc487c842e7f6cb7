#include "app/live_settings.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace minitok::app {
namespace {

class LiveSettingsTest : public ::testing::Test {
 protected:
  LiveSettingsTest() {
    file_.rate_limits.at("comment") = {.burst = 60, .refill_every_ms = 1000};
    file_.log_level = "info";
  }
  ~LiveSettingsTest() override { ::close(null_); }

  config::ServerConfig file_;
  int null_ = ::open("/dev/null", O_WRONLY);
  log::Logger logger_{null_};
};

TEST_F(LiveSettingsTest, FollowersGetTheFileFirstThenEveryChangeLaterValuesWinning) {
  LiveSettings live(file_, logger_);
  using Seen = std::pair<std::string, std::int64_t>;
  std::vector<Seen> seen;
  const auto following = live.Follow([&](const config::ServerConfig& c) {
    seen.emplace_back(c.log_level, c.rate_limits.at("comment").burst);
  });
  live.Update({R"({"log_level":"warn","rate_limits":{"comment":{"burst":5}}})", R"({"log_level":"error"})"});
  live.Update({});  // the keys were deleted: back to the file's
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], Seen("info", 60));
  EXPECT_EQ(seen[1], Seen("error", 5));
  EXPECT_EQ(seen[2], Seen("info", 60));
}

TEST_F(LiveSettingsTest, AValueThatDoesNotParseOrValidateIsLeftOutWhole) {
  LiveSettings live(file_, logger_);
  std::optional<config::ServerConfig> last;
  const auto following = live.Follow([&](const config::ServerConfig& c) { last = c; });
  live.Update({R"({"rate_limits":{"comment":{"burst":7}}})",
               R"({"log_level":"warn","rate_limits":{"comment":{"burst":1,"refill_every_ms":0}}})",  // invalid rule
               R"({"log_level":"loud"})", R"({"listen":"0.0.0.0:1"})", "{not json"});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->rate_limits.at("comment").burst, 7);
  EXPECT_EQ(last->rate_limits.at("comment").refill_every_ms, 1000);
  EXPECT_EQ(last->log_level, "info");
  EXPECT_EQ(last->listen, file_.listen);
}

TEST_F(LiveSettingsTest, AFollowerThatWentIsNeverCalledAgain) {
  LiveSettings live(file_, logger_);
  int calls = 0;
  {
    const auto following = live.Follow([&](const config::ServerConfig&) { ++calls; });
    live.Update({R"({"log_level":"warn"})"});
  }
  live.Update({R"({"log_level":"error"})"});
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace minitok::app
