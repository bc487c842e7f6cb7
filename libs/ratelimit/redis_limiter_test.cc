// Against a real redis-server (Debian's), started on a unix socket in a temporary folder.
#include "libs/ratelimit/redis_limiter.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <hiredis/hiredis.h>

#include "tests/support/temp_dir.h"

namespace minitok::ratelimit {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

class RedisProcess {
 public:
  explicit RedisProcess(std::string socket_path, std::string dir) : socket_(std::move(socket_path)), dir_(std::move(dir)) {}
  ~RedisProcess() { Stop(); }

  void Start() {
    pid_ = fork();
    if (pid_ == 0) {
      execl(kRedisServer, kRedisServer, "--port", "0", "--unixsocket", socket_.c_str(), "--dir", dir_.c_str(), "--save",
            "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--logfile", (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 500 && !std::filesystem::exists(socket_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(std::filesystem::exists(socket_)) << "redis-server did not start";
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    std::filesystem::remove(socket_);
  }

 private:
  std::string socket_;
  std::string dir_;
  pid_t pid_ = -1;
};

class RedisLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kRedisServer)) << "redis-server is missing: run scripts/setup.sh";
    redis_.Start();
  }

  RedisLimiterOptions Options() const {
    return {.endpoint = {.unix_path = socket_}, .reconnect_every = std::chrono::milliseconds(100)};
  }

  testing::TempDir dir_;
  std::string socket_ = dir_.File("redis.sock");
  RedisProcess redis_{socket_, dir_.path().string()};
  log::Logger logger_{open("/dev/null", O_WRONLY)};
};

Check Register(std::string address, std::int64_t burst = 3, std::int64_t every_ms = 60'000) {
  return {.limit = "register", .rule = {.burst = burst, .refill_every_ms = every_ms}, .subject = std::move(address)};
}

/// The limiter reconnects by itself (every 100 ms in these tests), and then Redis decides again.
void ExpectSharedAgain(RedisLimiter& limiter) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!limiter.connected() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(limiter.connected());
  const std::uint64_t local_before = limiter.decided_locally();
  EXPECT_TRUE(limiter.DecideAndWait({Register("after-the-outage")}).allowed);
  EXPECT_EQ(limiter.decided_locally(), local_before);
}

TEST_F(RedisLimiterTest, TwoGatewaysShareOneBucket) {
  LocalLimiter local_a, local_b;
  RedisLimiter gateway_a(Options(), local_a, logger_);
  RedisLimiter gateway_b(Options(), local_b, logger_);
  ASSERT_TRUE(gateway_a.connected());
  EXPECT_TRUE(gateway_a.DecideAndWait({Register("192.0.2.1")}).allowed);
  EXPECT_TRUE(gateway_b.DecideAndWait({Register("192.0.2.1")}).allowed);
  EXPECT_TRUE(gateway_a.DecideAndWait({Register("192.0.2.1")}).allowed);
  const Verdict refused = gateway_b.DecideAndWait({Register("192.0.2.1")});
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after_ms, 59'000);
  EXPECT_LE(refused.retry_after_ms, 60'000);
  EXPECT_FALSE(gateway_a.DecideAndWait({Register("192.0.2.1")}).allowed);
  // Another address has its own bucket.
  EXPECT_TRUE(gateway_b.DecideAndWait({Register("192.0.2.2")}).allowed);
  EXPECT_EQ(gateway_a.decided_locally() + gateway_b.decided_locally(), 0u);
}

TEST_F(RedisLimiterTest, RefillsOnRedisClockAndHonoursRetryAfter) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  ASSERT_TRUE(limiter.DecideAndWait({Register("a", 1, 300)}).allowed);
  const Verdict refused = limiter.DecideAndWait({Register("a", 1, 300)});
  ASSERT_FALSE(refused.allowed);
  std::this_thread::sleep_for(std::chrono::milliseconds(refused.retry_after_ms + 5));
  EXPECT_TRUE(limiter.DecideAndWait({Register("a", 1, 300)}).allowed);
}

TEST_F(RedisLimiterTest, AllOrNothingAndAskingWithoutTaking) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  const BucketRule one_per_minute{.burst = 1, .refill_every_ms = 60'000};
  const Check failure{.limit = "login_failures", .rule = one_per_minute, .subject = "a alice", .cost = 1};
  Check gate = failure;
  gate.cost = 0;
  const Check address{.limit = "login", .rule = {.burst = 2, .refill_every_ms = 60'000}, .subject = "a"};
  EXPECT_TRUE(limiter.DecideAndWait({address, gate}).allowed);  // asks, takes only the address's token
  EXPECT_TRUE(limiter.DecideAndWait({failure}).allowed);        // a failed sign-in empties the pair
  const Verdict refused = limiter.DecideAndWait({address, gate});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.refused_check, 1u);
  // The refusal took nothing from the address: one token is left there.
  EXPECT_TRUE(limiter.DecideAndWait({address}).allowed);
  EXPECT_FALSE(limiter.DecideAndWait({address}).allowed);
}

TEST_F(RedisLimiterTest, FallsBackToLocalBucketsWhileRedisIsDownAndReturnsByItself) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  ASSERT_TRUE(limiter.connected());
  redis_.Stop();
  // The first check after the loss notices it; every check is still answered, by local buckets.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.DecideAndWait({Register("b", 3)}).allowed) << i;
  EXPECT_FALSE(limiter.connected());
  EXPECT_GT(limiter.decided_locally(), 0u);
  // Local buckets still limit: neither refusing everything nor allowing everything.
  for (int i = 0; i < 3; ++i) limiter.DecideAndWait({Register("c", 3)});
  EXPECT_FALSE(limiter.DecideAndWait({Register("c", 3)}).allowed);

  redis_.Start();
  ExpectSharedAgain(limiter);
}

TEST_F(RedisLimiterTest, GivingBackMatchesTheLocalRule) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  Check take = Register("f", 2);
  Check give_back = take;
  give_back.cost = -1;
  ASSERT_TRUE(limiter.DecideAndWait({take}).allowed);
  ASSERT_TRUE(limiter.DecideAndWait({take}).allowed);
  ASSERT_FALSE(limiter.DecideAndWait({take}).allowed);
  EXPECT_TRUE(limiter.DecideAndWait({give_back}).allowed);
  EXPECT_TRUE(limiter.DecideAndWait({take}).allowed);
  EXPECT_FALSE(limiter.DecideAndWait({take}).allowed);
  // Given back beyond full: the bucket is full (its key gone), not overfull.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.DecideAndWait({give_back}).allowed);
  EXPECT_TRUE(limiter.DecideAndWait({take}).allowed);
  EXPECT_TRUE(limiter.DecideAndWait({take}).allowed);
  EXPECT_FALSE(limiter.DecideAndWait({take}).allowed);
  EXPECT_EQ(limiter.decided_locally(), 0u);
}

TEST_F(RedisLimiterTest, AnErrorReplyIsALostRedisAndItComesBack) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  ASSERT_TRUE(limiter.connected());
  // Forget the script behind the limiter's back, as a Redis restart that kept the socket would.
  const timeval timeout{.tv_sec = 2, .tv_usec = 0};
  redisContext* admin = redisConnectUnixWithTimeout(socket_.c_str(), timeout);
  ASSERT_TRUE(admin != nullptr && admin->err == 0);
  freeReplyObject(redisCommand(admin, "SCRIPT FLUSH"));
  redisFree(admin);
  // Answered (locally), never lost; then the script is loaded again on reconnecting.
  EXPECT_TRUE(limiter.DecideAndWait({Register("g")}).allowed);
  EXPECT_GT(limiter.decided_locally(), 0u);
  ExpectSharedAgain(limiter);
}

TEST_F(RedisLimiterTest, ManyConcurrentRequestsAreExact) {
  LocalLimiter local;
  RedisLimiter limiter(Options(), local, logger_);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (limiter.DecideAndWait({Register("e", 250)}).allowed) ++allowed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 250);
  EXPECT_EQ(limiter.decided_locally(), 0u);  // all of them by Redis
}

TEST(RedisUrl, ParsesTcpAndUnixSocketsAndRefusesTheRest) {
  auto tcp = ParseRedisUrl("redis://127.0.0.1:6380");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->host, "127.0.0.1");
  EXPECT_EQ(tcp->port, 6380);
  auto default_port = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(default_port.ok());
  EXPECT_EQ(default_port->port, 6379);
  auto v6 = ParseRedisUrl("redis://[::1]:7000/");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "redis://[::1]:7000");
  auto unix_socket = ParseRedisUrl("unix:///run/redis/redis.sock");
  ASSERT_TRUE(unix_socket.ok());
  EXPECT_EQ(unix_socket->unix_path, "/run/redis/redis.sock");
  for (const char* bad : {"", "http://127.0.0.1:6379", "redis://", "redis://:6379", "redis://h:0", "redis://h:70000",
                          "redis://h:", "redis://h:6x", "unix://relative.sock", "redis://user@h:1", "redis://[::1"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace minitok::ratelimit
