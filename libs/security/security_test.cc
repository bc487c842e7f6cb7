#include <gtest/gtest.h>

#include "libs/security/password_hasher.h"
#include "libs/security/token_codec.h"

namespace minitok::security {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(TokenCodecTest, IssuesAndVerifies) {
  ManualClock clock(1'700'000'000'000);
  TokenCodec codec(std::string(kSecret), 60, clock);
  const auto token = codec.Issue(42);
  auto user = codec.Verify(token);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, 42);
}

TEST(TokenCodecTest, ExpiresAfterTtl) {
  ManualClock clock(1'700'000'000'000);
  TokenCodec codec(std::string(kSecret), 60, clock);
  const auto token = codec.Issue(1);
  clock.Advance(59'000);
  EXPECT_TRUE(codec.Verify(token).ok());
  clock.Advance(1'000);
  auto expired = codec.Verify(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, Code::kUnauthenticated);
}

TEST(TokenCodecTest, RefusesTamperingAndOtherSecrets) {
  ManualClock clock(1'700'000'000'000);
  TokenCodec codec(std::string(kSecret), 60, clock);
  TokenCodec other("another-secret-another-secret-xx", 60, clock);
  const std::string token = codec.Issue(5);
  ASSERT_TRUE(codec.Verify(token).ok());  // remembered as verified: its variants must still fail
  EXPECT_FALSE(other.Verify(token).ok());
  // Swap the payload for one claiming another user, keep the signature.
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const std::string forged_payload =
      Base64UrlEncode(R"({"sub":"6","iat":1700000000,"exp":1700000060})");
  EXPECT_FALSE(codec.Verify(token.substr(0, first + 1) + forged_payload + token.substr(second)).ok());
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.Verify(flipped).ok());
  EXPECT_FALSE(codec.Verify("").ok());
  EXPECT_FALSE(codec.Verify("a.b").ok());
  EXPECT_FALSE(codec.Verify("a.b.c.d").ok());
  EXPECT_FALSE(codec.Verify(token + ".").ok());
}

TEST(TokenCodecTest, RefusesAlgorithmConfusion) {
  ManualClock clock(1'700'000'000'000);
  TokenCodec codec(std::string(kSecret), 60, clock);
  const std::string payload = Base64UrlEncode(R"({"sub":"5","iat":1700000000,"exp":1700000060})");
  // alg "none" with an empty signature.
  EXPECT_FALSE(codec.Verify(Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".").ok());
  // A valid HS256 signature under a header that claims another algorithm.
  const std::string valid = codec.Issue(5);
  const std::string signature = valid.substr(valid.rfind('.'));
  for (const char* header : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
                             R"({"alg":"hs256","typ":"JWT"})", R"({"typ":"JWT"})"}) {
    EXPECT_FALSE(codec.Verify(Base64UrlEncode(header) + "." + payload + signature).ok()) << header;
  }
}

TEST(Base64UrlTest, RoundTripsAndIsStrict) {
  for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_FALSE(Base64UrlDecode("Zm9v=").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm+v").ok());
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());  // non-canonical trailing bits
}

TEST(PasswordHasherTest, VerifiesOnlyTheRightPassword) {
  PasswordHasher hasher({.ops_limit = 1, .mem_limit_bytes = 8 << 20});
  auto hash = hasher.Hash("secret");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(hasher.Verify(*hash, "secret"));
  EXPECT_FALSE(hasher.Verify(*hash, "Secret"));
  EXPECT_FALSE(hasher.Verify("not a hash", "secret"));
  auto again = hasher.Hash("secret");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again);  // salted
}

}  // namespace
}  // namespace minitok::security
