#pragma once
// Session tokens: JWT, HS256 only, constant-time signature check, expiry.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "libs/core/clock.h"
#include "libs/core/result.h"

namespace minitok::security {

/// Thread-safe.
class TokenCodec {
 public:
  TokenCodec(std::string secret, std::int64_t ttl_seconds, const Clock& clock);

  /// A token naming `user_id`, valid for ttl_seconds from now.
  std::string Issue(std::int64_t user_id) const;
  /// The user id of a valid token; kUnauthenticated for anything malformed, tampered, signed
  /// with another algorithm (alg must be exactly "HS256") or expired.
  Result<std::int64_t> Verify(std::string_view token) const;

 private:
  struct Verified {
    std::int64_t user_id = 0;
    std::int64_t expires_ms = 0;
  };
  Result<Verified> VerifyClaims(std::string_view token) const;
  std::string Sign(std::string_view signing_input) const;

  std::string secret_;
  std::int64_t ttl_seconds_;
  const Clock& clock_;
  // Tokens already verified, by their exact text: a client sends the same token with every
  // request, and checking it again costs two JSON parses and an HMAC. Expiry is checked on use.
  mutable std::mutex verified_mutex_;
  mutable std::unordered_map<std::string, Verified> verified_;
};

std::string Base64UrlEncode(std::string_view bytes);
/// Strict: no padding, only the URL alphabet, canonical trailing bits.
Result<std::string> Base64UrlDecode(std::string_view text);

/// `length` random bytes from the OS, as lowercase hex.
std::string RandomHex(std::size_t length);

}  // namespace minitok::security
