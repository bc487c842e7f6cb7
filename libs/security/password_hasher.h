#pragma once
// Password hashing with Argon2id (libsodium). Deliberately slow: call it only from the hashing
// pool, never from an event loop or the general worker pool.

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/core/result.h"

namespace minitok::security {

struct PasswordCost {
  std::uint64_t ops_limit = 2;
  std::uint64_t mem_limit_bytes = 64ull << 20;
};

/// Thread-safe.
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordCost cost);

  /// An encoded "$argon2id$..." string with its own salt and parameters.
  Result<std::string> Hash(std::string_view password) const;
  /// True when `password` matches `encoded`.
  bool Verify(std::string_view encoded, std::string_view password) const;
  /// Spends the same time as a real Verify; used when the user does not exist so that login
  /// time does not tell which usernames are registered.
  void VerifyDummy(std::string_view password) const;

 private:
  PasswordCost cost_;
  std::string dummy_hash_;
};

}  // namespace minitok::security
