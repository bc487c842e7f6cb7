#include "libs/log/logger.h"

#include <gtest/gtest.h>
#include <sys/select.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace minitok::log {
namespace {

std::string ReadAvailable(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

TEST(LoggerTest, FlushWritesEveryLineWholeAndInOrder) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    Logger logger(fds[1]);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < 500; ++i) logger.Raw("t" + std::to_string(t) + " line " + std::to_string(i));
      });
    }
    for (auto& thread : threads) thread.join();
    logger.Error("a \"quoted\" message");
    logger.Flush();
  }
  ::close(fds[1]);
  const std::string all = ReadAvailable(fds[0]);
  ::close(fds[0]);
  std::vector<int> next(4, 0);
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < all.size()) {
    const std::size_t end = all.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "a line was cut";
    const std::string line = all.substr(start, end - start);
    start = end + 1;
    ++lines;
    if (line[0] == 't') {
      const int t = line[1] - '0';
      EXPECT_EQ(line, "t" + std::to_string(t) + " line " + std::to_string(next[t]++)) << "out of order";
    } else {
      EXPECT_NE(line.find("\"level\":\"error\""), std::string::npos) << line;
      EXPECT_NE(line.find("a \\\"quoted\\\" message"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(lines, 2001u);
}

TEST(LoggerTest, WritesWithoutAnExplicitFlush) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto logger = std::make_unique<Logger>(fds[1]);
  logger->Info("hello");
  // The background writer gets to it within its interval.
  std::string got;
  for (int i = 0; i < 500 && got.find("hello") == std::string::npos; ++i) {  // up to 10 s on a busy machine
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(fds[0], &read_set);
    timeval no_wait{0, 0};
    if (::select(fds[0] + 1, &read_set, nullptr, nullptr, &no_wait) > 0) {
      char buffer[256];
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
    }
  }
  EXPECT_NE(got.find("\"msg\":\"hello\""), std::string::npos) << got;
  logger.reset();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(LoggerTest, LinesBelowTheMinimumLevelAreDroppedUntilItChanges) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    Logger logger(fds[1]);
    logger.SetMinimumLevel(Level::kWarn);
    logger.Info("quiet info");
    logger.Raw("quiet access line");
    logger.Warn("loud warn");
    logger.SetMinimumLevel(Level::kInfo);
    logger.Info("info again");
    logger.Flush();
  }
  ::close(fds[1]);
  const std::string all = ReadAvailable(fds[0]);
  ::close(fds[0]);
  EXPECT_EQ(all.find("quiet"), std::string::npos) << all;
  EXPECT_NE(all.find("loud warn"), std::string::npos) << all;
  EXPECT_NE(all.find("info again"), std::string::npos) << all;
}

TEST(LoggerTest, ParsesTheThreeLevelNames) {
  EXPECT_EQ(ParseLevel("info"), Level::kInfo);
  EXPECT_EQ(ParseLevel("warn"), Level::kWarn);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("debug"), std::nullopt);
  EXPECT_EQ(ParseLevel("WARN"), std::nullopt);
}

}  // namespace
}  // namespace minitok::log
