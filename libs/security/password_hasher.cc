#include "libs/security/password_hasher.h"

#include <sodium.h>

#include <cstdlib>

namespace minitok::security {

PasswordHasher::PasswordHasher(PasswordCost cost) : cost_(cost) {
  if (sodium_init() < 0) std::abort();  // no usable randomness: refuse to run
  auto dummy = Hash("minitok-dummy-password");
  if (dummy.ok()) dummy_hash_ = std::move(dummy).value();
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost_.ops_limit,
                        static_cast<size_t>(cost_.mem_limit_bytes)) != 0) {
    return MakeError(Code::kResourceExhausted, "the server is busy, please try again",
                     "crypto_pwhash_str ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) const {
  const std::string terminated(encoded);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const {
  (void)Verify(dummy_hash_, password);
}

}  // namespace minitok::security
