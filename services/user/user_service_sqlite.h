#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "libs/cache/data_version.h"
#include "libs/cache/keyed_cache.h"
#include "libs/core/clock.h"
#include "libs/security/password_hasher.h"
#include "libs/sql/sqlite.h"
#include "services/user/user_service.h"

namespace minitok::user {

/// The migrations this implementation needs (built into the binary).
std::span<const EmbeddedFile> Migrations();

class UserServiceSqlite final : public UserService {
 public:
  /// `public_changes` (may be null) is bumped after each registration: an anonymous answer may
  /// have said that the new id had no user.
  UserServiceSqlite(std::unique_ptr<sql::Database> db, const security::PasswordHasher& hasher,
                    const Clock& clock, cache::DataVersion* public_changes = nullptr);

  // UserService
  Result<std::int64_t> Register(std::string_view name, std::string_view password) override;
  Result<std::int64_t> Login(std::string_view name, std::string_view password) override;
  Result<std::vector<UserProfile>> GetUsers(std::span<const std::int64_t> ids) override;

  /// Fills the profile cache at start (the oldest accounts first); returns how many.
  Result<std::size_t> WarmCaches();

 private:
  /// One entry per id, in order; nullopt for an id without a user.
  Result<std::vector<std::optional<UserProfile>>> ReadProfiles(std::span<const std::int64_t> ids);

  std::unique_ptr<sql::Database> db_;
  const security::PasswordHasher& hasher_;
  const Clock& clock_;
  cache::DataVersion* public_changes_;
  cache::KeyedCache<UserProfile> profiles_;
};

}  // namespace minitok::user
