#include "libs/security/token_codec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/json.hpp>

#include <array>
#include <charconv>
#include <cstdlib>

namespace minitok::security {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

Error Unauthenticated(std::string_view why) {
  return MakeError(Code::kUnauthenticated, "invalid or expired token, please log in again",
                   std::string(why));
}

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return Unauthenticated("bad base64 length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = DecodeChar(c);
    if (value < 0) return Unauthenticated("bad base64 character");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return Unauthenticated("non-canonical base64");
  return out;
}

std::string RandomHex(std::size_t length) {
  std::string bytes(length, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(length)) != 1) {
    // RAND_bytes only fails when the OS has no entropy source; a weak secret must never be used.
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0xF]);
  }
  return hex;
}

TokenCodec::TokenCodec(std::string secret, std::int64_t ttl_seconds, const Clock& clock)
    : secret_(std::move(secret)), ttl_seconds_(ttl_seconds), clock_(clock) {}

std::string TokenCodec::Sign(std::string_view signing_input) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac.data(),
       &mac_length);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac_length);
}

std::string TokenCodec::Issue(std::int64_t user_id) const {
  const std::int64_t now = clock_.NowMs() / 1000;
  const std::string payload = R"({"sub":")" + std::to_string(user_id) + R"(","iat":)" +
                              std::to_string(now) + R"(,"exp":)" + std::to_string(now + ttl_seconds_) +
                              "}";
  std::string token = Base64UrlEncode(kHeader) + "." + Base64UrlEncode(payload);
  token += "." + Base64UrlEncode(Sign(token));
  return token;
}

Result<std::int64_t> TokenCodec::Verify(std::string_view token) const {
  constexpr std::size_t kMaxRemembered = 20'000;
  const std::int64_t now_ms = clock_.NowMs();
  {
    const std::lock_guard lock(verified_mutex_);
    if (const auto it = verified_.find(std::string(token)); it != verified_.end()) {
      if (it->second.expires_ms <= now_ms) return Unauthenticated("expired");
      return it->second.user_id;
    }
  }
  MINITOK_ASSIGN_OR_RETURN(const Verified verified, VerifyClaims(token));
  const std::lock_guard lock(verified_mutex_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();  // rare; the next requests verify again
  verified_.emplace(std::string(token), verified);
  return verified.user_id;
}

Result<TokenCodec::Verified> TokenCodec::VerifyClaims(std::string_view token) const {
  if (token.empty() || token.size() > 2048) return Unauthenticated("token length");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot == std::string_view::npos ? 0 : first_dot + 1);
  if (first_dot == std::string_view::npos || second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Unauthenticated("token shape");
  }
  MINITOK_ASSIGN_OR_RETURN(const std::string header, Base64UrlDecode(token.substr(0, first_dot)));
  boost::system::error_code ec;
  const auto header_json = boost::json::parse(header, ec);
  if (ec || !header_json.is_object()) return Unauthenticated("header json");
  const auto* alg = header_json.as_object().if_contains("alg");
  // Only HS256: "none", other HMACs and public-key algorithms are refused before any check.
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    return Unauthenticated("alg");
  }
  MINITOK_ASSIGN_OR_RETURN(const std::string signature, Base64UrlDecode(token.substr(second_dot + 1)));
  const std::string expected = Sign(token.substr(0, second_dot));
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Unauthenticated("signature");
  }
  MINITOK_ASSIGN_OR_RETURN(const std::string payload,
                           Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1)));
  const auto payload_json = boost::json::parse(payload, ec);
  if (ec || !payload_json.is_object()) return Unauthenticated("payload json");
  const auto& claims = payload_json.as_object();
  const auto* sub = claims.if_contains("sub");
  const auto* exp = claims.if_contains("exp");
  if (sub == nullptr || !sub->is_string() || exp == nullptr || !exp->is_int64()) {
    return Unauthenticated("claims");
  }
  if (exp->as_int64() * 1000 <= clock_.NowMs()) return Unauthenticated("expired");
  std::int64_t user_id = 0;
  const auto& sub_text = sub->as_string();
  const auto [end, parse_ec] = std::from_chars(sub_text.data(), sub_text.data() + sub_text.size(), user_id);
  if (parse_ec != std::errc() || end != sub_text.data() + sub_text.size() || user_id <= 0) {
    return Unauthenticated("sub");
  }
  return Verified{user_id, exp->as_int64() * 1000};
}

}  // namespace minitok::security
