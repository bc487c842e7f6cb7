#pragma once
// Session tokens: JWT, HS256 only, constant-time signature check, expiry.

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/core/clock.h"
#include "libs/core/result.h"

namespace minitok::security {

/// Thread-safe (immutable after construction).
class TokenCodec {
 public:
  TokenCodec(std::string secret, std::int64_t ttl_seconds, const Clock& clock);

  /// A token naming `user_id`, valid for ttl_seconds from now.
  std::string Issue(std::int64_t user_id) const;
  /// The user id of a valid token; kUnauthenticated for anything malformed, tampered, signed
  /// with another algorithm (alg must be exactly "HS256") or expired.
  Result<std::int64_t> Verify(std::string_view token) const;

 private:
  std::string Sign(std::string_view signing_input) const;

  std::string secret_;
  std::int64_t ttl_seconds_;
  const Clock& clock_;
};

std::string Base64UrlEncode(std::string_view bytes);
/// Strict: no padding, only the URL alphabet, canonical trailing bits.
Result<std::string> Base64UrlDecode(std::string_view text);

/// `length` random bytes from the OS, as lowercase hex.
std::string RandomHex(std::size_t length);

}  // namespace minitok::security
