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

}  // namespace
}  // namespace minitok::config
