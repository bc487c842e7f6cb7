#include "app/cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace minitok::app {
namespace {

TEST(ParseCommandLineTest, ServeDefaultsAndFlags) {
  auto defaults = ParseCommandLine({"minitok", "serve"});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->command, Command::kServe);
  EXPECT_EQ(defaults->config.listen, "127.0.0.1:8080");
  EXPECT_EQ(defaults->config.data_dir, "./data");
  EXPECT_TRUE(defaults->config.demo_content);

  auto flags = ParseCommandLine({"minitok", "serve", "--listen", "0.0.0.0:9", "--data-dir=/tmp/x",
                                 "--public-url", "http://phone.lan:9", "--no-demo"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->config.listen, "0.0.0.0:9");
  EXPECT_EQ(flags->config.data_dir, "/tmp/x");
  EXPECT_EQ(flags->config.public_url, "http://phone.lan:9");
  EXPECT_FALSE(flags->config.demo_content);
}

TEST(ParseCommandLineTest, HelpEverywhereAndErrorsForNonsense) {
  EXPECT_EQ(ParseCommandLine({"minitok"})->command, Command::kHelp);
  auto serve_help = ParseCommandLine({"minitok", "serve", "--help"});
  ASSERT_TRUE(serve_help.ok());
  EXPECT_EQ(serve_help->command, Command::kHelp);
  EXPECT_NE(serve_help->help_text.find("--data-dir"), std::string::npos);
  EXPECT_FALSE(ParseCommandLine({"minitok", "dance"}).ok());
  EXPECT_FALSE(ParseCommandLine({"minitok", "serve", "--bogus"}).ok());
  EXPECT_FALSE(ParseCommandLine({"minitok", "serve", "--listen"}).ok());
  EXPECT_FALSE(ParseCommandLine({"minitok", "serve", "--public-url", "ftp://x"}).ok());
}

TEST(ParseCommandLineTest, FlagsOverrideTheConfigFile) {
  const std::string path = ::testing::TempDir() + "/minitok-cli-test.json";
  std::ofstream(path) << R"({"listen":"127.0.0.1:1","token_ttl_seconds":60})";
  auto parsed = ParseCommandLine({"minitok", "serve", "--config", path, "--listen", "127.0.0.1:2"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->config.listen, "127.0.0.1:2");
  EXPECT_EQ(parsed->config.token_ttl_seconds, 60);
  EXPECT_FALSE(ParseCommandLine({"minitok", "serve", "--config", "/nonexistent.json"}).ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace minitok::app
