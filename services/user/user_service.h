#pragma once
// The user service: accounts, password hashes, profiles. Shaped like an RPC: plain values in
// and out, errors as values, safe to call from any thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::user {

struct UserProfile {
  std::int64_t id = 0;
  std::string name;
  std::string signature;
};

class UserService {
 public:
  virtual ~UserService() = default;
  /// New account; kInvalidArgument for a bad name or password, kAlreadyExists for a taken
  /// name. Slow (hashes the password): call from the hashing pool.
  virtual Result<std::int64_t> Register(std::string_view name, std::string_view password) = 0;
  /// The account's id; kUnauthenticated for an unknown name or a wrong password (the same
  /// message and about the same time for both). Slow: call from the hashing pool.
  virtual Result<std::int64_t> Login(std::string_view name, std::string_view password) = 0;
  /// Profiles of the ids that exist, in no particular order.
  virtual Result<std::vector<UserProfile>> GetUsers(std::span<const std::int64_t> ids) = 0;

  // The Start forms begin a lookup and collect it later, so that a caller can have several
  // services' lookups in flight at once; here they answer at once, a remote client overrides them.
  virtual Pending<std::vector<UserProfile>> StartGetUsers(std::span<const std::int64_t> ids) { return GetUsers(ids); }
};

/// kNotFound unless `user_id` exists: the check every service that acts on a user makes first.
inline Status RequireUser(UserService& users, std::int64_t user_id) {
  const std::int64_t ids[] = {user_id};
  MINITOK_ASSIGN_OR_RETURN(const auto found, users.GetUsers(ids));
  if (found.empty()) return MakeError(Code::kNotFound, "this user does not exist");
  return Ok();
}

/// Shared rules for names and passwords: 1-32 characters, valid UTF-8, no control characters.
Status ValidateUsername(std::string_view name);
Status ValidatePassword(std::string_view password);

}  // namespace minitok::user
