#include "gateway/traffic_control.h"

#include <gtest/gtest.h>

#include <atomic>

#include "libs/core/clock.h"
#include "libs/ratelimit/local_limiter.h"

namespace minitok::gateway {
namespace {

using ratelimit::BucketRule;

class TrafficControlTest : public ::testing::Test {
 protected:
  TrafficControl Make(std::map<std::string, BucketRule, std::less<>> rules, std::vector<std::string> trusted = {}) {
    return TrafficControl(std::move(rules), limiter_, *ratelimit::TrustedProxies::Parse(trusted), tokens_);
  }

  http::Request From(std::string address) {
    http::Request request;
    request.remote_address = std::move(address);
    return request;
  }

  /// The admission's refusal when it decides at once (every test limiter here does).
  static std::optional<http::Response> Decide(const TrafficControl& traffic, Limited what, const http::Request& r) {
    const auto admit = traffic.AdmissionFor(what);
    EXPECT_TRUE(admit != nullptr);
    http::Admission admission = admit(r);
    EXPECT_FALSE(admission.decide_later);
    return std::move(admission.refusal);
  }

  static std::string RetryAfter(const http::Response& response) {
    for (const auto& [name, value] : response.headers) {
      if (name == "Retry-After") return value;
    }
    return "";
  }

  std::atomic<std::int64_t> now_ms_{5'000'000};
  ratelimit::LocalLimiter limiter_{{.now_ms = [this] { return now_ms_.load(); }}};
  ManualClock clock_{1'700'000'000'000};
  security::TokenCodec tokens_{std::string(32, 's'), 3600, clock_};
};

TEST_F(TrafficControlTest, OverTheLimitIsA429WithAnHonestRetryAfterAndTheApiEnvelope) {
  const auto traffic = Make({{"register", {.burst = 2, .refill_every_ms = 10'000}}});
  const auto request = From("192.0.2.1");
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request));
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request));
  now_ms_ += 2'500;
  const auto refused = Decide(traffic, Limited::kRegister, request);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(RetryAfter(*refused), "8");  // 7.5 s, rounded up
  EXPECT_EQ(refused->api_status, 10006);
  EXPECT_EQ(refused->body,
            R"({"status_code":10006,"status_msg":"Too many sign-ups from your network: try again in 8 s","user_id":0,"token":""})");
  EXPECT_FALSE(refused->close_connection);  // its body was read: the connection can go on
  // Another address is not affected; the first is allowed again after Retry-After.
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, From("192.0.2.2")));
  now_ms_ += 8'000;
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request));
}

TEST_F(TrafficControlTest, LimitsThatAreOffCostNothing) {
  const auto traffic = Make({{"register", {.burst = 0, .refill_every_ms = 1000}}, {"reads", {}}});
  EXPECT_EQ(traffic.AdmissionFor(Limited::kRegister), nullptr);
  EXPECT_EQ(traffic.AdmissionFor(Limited::kRead), nullptr);
  EXPECT_EQ(traffic.AdmissionFor(Limited::kLike), nullptr);  // not configured at all
}

TEST_F(TrafficControlTest, LiveRulesTurnOnChangeAndTurnOffWhileServing) {
  TrafficControl traffic({{"register", {}}, {"reads", {}}}, limiter_, *ratelimit::TrustedProxies::Parse({}), tokens_,
                         /*live=*/true);
  const auto request = From("192.0.2.9");
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request)) << "off: admitted";
  traffic.SetRules({{"register", {.burst = 1, .refill_every_ms = 60'000}}, {"unknown", {.burst = 1}}});
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request));
  EXPECT_TRUE(Decide(traffic, Limited::kRegister, request)) << "on: the second is over the burst of 1";
  traffic.SetRules({{"register", {.burst = 0, .refill_every_ms = 0}}});
  EXPECT_FALSE(Decide(traffic, Limited::kRegister, request)) << "off again";
  EXPECT_FALSE(Decide(traffic, Limited::kLike, request)) << "a rule never named stays off";
}

TEST_F(TrafficControlTest, ActionsAreLimitedPerUserWhereverTheTokenIs) {
  const auto traffic = Make({{"comment", {.burst = 1, .refill_every_ms = 1000}}});
  auto in_body = From("192.0.2.1");
  in_body.params.AddBody("token", tokens_.Issue(7));
  auto in_header = From("198.51.100.1");  // same user, another network
  in_header.headers.emplace_back("authorization", "Bearer " + tokens_.Issue(7));
  EXPECT_FALSE(Decide(traffic, Limited::kComment, in_body));
  const auto refused = Decide(traffic, Limited::kComment, in_header);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->body.find("Too many comments: try again in 1 s"), std::string::npos) << refused->body;
  auto other_user = From("192.0.2.1");
  other_user.params.AddBody("token", tokens_.Issue(8));
  EXPECT_FALSE(Decide(traffic, Limited::kComment, other_user));
  // Without a valid token there is nobody to limit: the handler refuses it as unauthenticated.
  auto forged = From("192.0.2.1");
  forged.params.AddBody("token", "garbage");
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Decide(traffic, Limited::kComment, forged));
}

TEST_F(TrafficControlTest, FailedSignInsCloseOnlyThatAddressAndAccountPair) {
  const auto traffic = Make({{"login", {.burst = 100, .refill_every_ms = 1000}},
                             {"login_failures", {.burst = 3, .refill_every_ms = 90'000}}});
  auto attacker = From("203.0.113.66");
  attacker.params.AddBody("username", "alice");
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(Decide(traffic, Limited::kLogin, attacker)) << i;  // each a wrong password: kept
  }
  const auto refused = Decide(traffic, Limited::kLogin, attacker);
  ASSERT_TRUE(refused);
  EXPECT_EQ(RetryAfter(*refused), "90");
  EXPECT_NE(refused->body.find("Too many failed sign-ins to this account"), std::string::npos);
  // The owner, elsewhere, signs in; the attacker may still try other accounts (the address limit
  // bounds that).
  auto owner = From("192.0.2.10");
  owner.params.AddBody("username", "alice");
  EXPECT_FALSE(Decide(traffic, Limited::kLogin, owner));
  auto other_account = From("203.0.113.66");
  other_account.params.AddBody("username", "bob");
  EXPECT_FALSE(Decide(traffic, Limited::kLogin, other_account));
}

TEST_F(TrafficControlTest, GuessesSentTogetherCannotAllPassTheFailureGate) {
  const auto traffic = Make({{"login", {.burst = 100, .refill_every_ms = 1000}},
                             {"login_failures", {.burst = 3, .refill_every_ms = 90'000}}});
  auto guess = From("203.0.113.66");
  guess.params.AddBody("username", "alice");
  // Ten guesses arrive before any has been hashed: the admission reserves a token each.
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += Decide(traffic, Limited::kLogin, guess) ? 0 : 1;
  EXPECT_EQ(admitted, 3);
}

TEST_F(TrafficControlTest, SignInsThatWereNoGuessGiveTheirReservationBack) {
  const auto traffic = Make({{"login_failures", {.burst = 2, .refill_every_ms = 90'000}}});
  auto owner = From("192.0.2.10");
  owner.params.AddBody("username", "alice");
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(Decide(traffic, Limited::kLogin, owner)) << i;
    traffic.LoginWasNoGuess(owner);  // the right password (or a busy server): not a guess
  }
  // Names that cannot be usernames take no bucket at all (nothing to guess, no huge keys).
  auto nonsense = From("192.0.2.10");
  nonsense.params.AddBody("username", std::string(10'000, 'x'));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Decide(traffic, Limited::kLogin, nonsense));
  EXPECT_EQ(traffic.AdmissionFor(Limited::kRegister), nullptr);
}

TEST_F(TrafficControlTest, UploadsAreCheckedBeforeTheBodyWhenTheTokenIsInTheHeaderAndAfterItOtherwise) {
  const auto traffic = Make({{"publish", {.burst = 1, .refill_every_ms = 60'000}}});
  auto header = From("192.0.2.1");
  header.headers.emplace_back("authorization", "Bearer " + tokens_.Issue(5));
  EXPECT_FALSE(Decide(traffic, Limited::kPublish, header));
  EXPECT_FALSE(traffic.AdmitLateUpload(header, 5));  // already counted before the body
  const auto refused = Decide(traffic, Limited::kPublish, header);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->close_connection);  // the body was never read
  EXPECT_EQ(RetryAfter(*refused), "60");

  // The Douyin app sends its token in the multipart body: unknown before the body is read.
  auto body = From("192.0.2.1");
  EXPECT_FALSE(Decide(traffic, Limited::kPublish, body));  // nobody to limit yet
  EXPECT_FALSE(traffic.AdmitLateUpload(body, 6));
  const auto late = traffic.AdmitLateUpload(body, 6);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 429);
  EXPECT_FALSE(late->close_connection);
}

TEST_F(TrafficControlTest, ForwardedForCountsOnlyFromTrustedProxies) {
  const auto direct = Make({{"login", {.burst = 1, .refill_every_ms = 60'000}}});
  auto spoofed = From("192.0.2.1");
  spoofed.headers.emplace_back("x-forwarded-for", "10.0.0.1");
  EXPECT_EQ(direct.ClientOf(spoofed), "192.0.2.1");

  const auto proxied = Make({{"login", {.burst = 1, .refill_every_ms = 60'000}}}, {"127.0.0.0/8"});
  auto first = From("127.0.0.1");
  first.headers.emplace_back("x-forwarded-for", "198.51.100.1");
  auto second = From("127.0.0.1");
  second.headers.emplace_back("x-forwarded-for", "198.51.100.2");
  // Two headers are one list, in order.
  second.headers.emplace_back("x-forwarded-for", "127.0.0.5");
  EXPECT_EQ(proxied.ClientOf(second), "198.51.100.2");
  EXPECT_FALSE(Decide(proxied, Limited::kLogin, first));
  EXPECT_FALSE(Decide(proxied, Limited::kLogin, second));
  EXPECT_TRUE(Decide(proxied, Limited::kLogin, first));
}

/// A limiter whose verdicts arrive later, as Redis's do.
class DeferredLimiter final : public ratelimit::Limiter {
 public:
  std::optional<ratelimit::Verdict> TryDecide(std::span<const ratelimit::Check>) override { return std::nullopt; }
  void DecideLater(std::vector<ratelimit::Check>, ratelimit::VerdictCallback later) override {
    pending = std::move(later);
  }
  ratelimit::VerdictCallback pending;
};

TEST(TrafficControlDeferred, AVerdictThatComesLaterReachesTheServerWhicheverArrivesFirst) {
  DeferredLimiter limiter;
  ManualClock clock(1'700'000'000'000);
  const security::TokenCodec tokens(std::string(32, 's'), 3600, clock);
  const TrafficControl traffic({{"register", {.burst = 1, .refill_every_ms = 1000}}}, limiter, {}, tokens);
  http::Request request;
  request.remote_address = "192.0.2.1";

  // The server waits first, then the verdict arrives.
  http::Admission admission = traffic.AdmissionFor(Limited::kRegister)(request);
  ASSERT_TRUE(admission.decide_later);
  std::optional<std::optional<http::Response>> seen;
  admission.decide_later([&](std::optional<http::Response> refusal) { seen = std::move(refusal); });
  EXPECT_FALSE(seen);
  limiter.pending({.allowed = false, .retry_after_ms = 1500, .refused_check = 0});
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->status, 429);

  // The verdict arrives first, then the server asks.
  admission = traffic.AdmissionFor(Limited::kRegister)(request);
  limiter.pending({.allowed = true});
  seen.reset();
  admission.decide_later([&](std::optional<http::Response> refusal) { seen = std::move(refusal); });
  ASSERT_TRUE(seen);
  EXPECT_FALSE(*seen);
}

}  // namespace
}  // namespace minitok::gateway
