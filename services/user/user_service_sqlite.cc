#include "services/user/user_service_sqlite.h"

#include <algorithm>

#include "embedded/user_migrations.h"
#include "libs/core/text.h"

namespace minitok::user {
namespace {

constexpr std::string_view kFindByName = "SELECT id, password_hash FROM users WHERE name = ?";
constexpr std::string_view kInsert =
    "INSERT INTO users (name, password_hash, created_ms) VALUES (?, ?, ?)";
constexpr std::string_view kOldestProfiles = "SELECT id, name, signature FROM users ORDER BY id LIMIT ?";
constexpr std::string_view kSelectByIds =
    "SELECT id, name, signature FROM users WHERE id IN (SELECT value FROM json_each(?))";

Status ValidateCredential(std::string_view value, std::string_view what) {
  const auto length = CountUtf8CodePoints(value);
  if (!length) return MakeError(Code::kInvalidArgument, std::string(what) + " is not valid UTF-8");
  if (*length < 1 || *length > 32) {
    return MakeError(Code::kInvalidArgument, std::string(what) + " must be 1 to 32 characters");
  }
  if (HasControlCharacters(value, false)) {
    return MakeError(Code::kInvalidArgument, std::string(what) + " must not contain control characters");
  }
  return Ok();
}

// Profiles never change once registered, so nothing invalidates them; only a bound applies.
constexpr std::size_t kCachedProfiles = 200'000;

Error NameTaken() { return MakeError(Code::kAlreadyExists, "this username is already taken"); }

}  // namespace

std::span<const EmbeddedFile> Migrations() { return user_migrations::Files(); }

Status ValidateUsername(std::string_view name) {
  MINITOK_RETURN_IF_ERROR(ValidateCredential(name, "username"));
  if (TrimAsciiWhitespace(name).size() != name.size()) {
    return MakeError(Code::kInvalidArgument, "username must not start or end with spaces");
  }
  return Ok();
}

Status ValidatePassword(std::string_view password) { return ValidateCredential(password, "password"); }

UserServiceSqlite::UserServiceSqlite(std::unique_ptr<sql::Database> db,
                                     const security::PasswordHasher& hasher, const Clock& clock,
                                     cache::DataVersion* public_changes)
    : db_(std::move(db)), hasher_(hasher), clock_(clock), public_changes_(public_changes), profiles_(kCachedProfiles) {}

Result<std::int64_t> UserServiceSqlite::Register(std::string_view name, std::string_view password) {
  MINITOK_RETURN_IF_ERROR(ValidateUsername(name));
  MINITOK_RETURN_IF_ERROR(ValidatePassword(password));
  // Cheap check first, so that a taken name costs no hashing.
  MINITOK_ASSIGN_OR_RETURN(const bool taken, db_->Read([&](sql::Connection& c) -> Result<bool> {
    MINITOK_ASSIGN_OR_RETURN(auto find, c.Prepare(kFindByName));
    find.Bind(1, name);
    return find.Step();
  }));
  if (taken) return NameTaken();
  MINITOK_ASSIGN_OR_RETURN(const std::string hash, hasher_.Hash(password));
  auto registered = db_->Write([&](sql::Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto find, c.Prepare(kFindByName));
    find.Bind(1, name);
    MINITOK_ASSIGN_OR_RETURN(const bool exists, find.Step());
    if (exists) return NameTaken();
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    insert.Bind(1, name).Bind(2, std::string_view(hash)).Bind(3, clock_.NowMs());
    MINITOK_RETURN_IF_ERROR(insert.Run());
    return c.LastInsertRowId();
  });
  // Unknown ids are never cached here, so there is nothing of ours to drop first.
  if (registered.ok()) cache::PublicDataChanged(public_changes_);
  return registered;
}

Result<std::int64_t> UserServiceSqlite::Login(std::string_view name, std::string_view password) {
  const Error refused = MakeError(Code::kUnauthenticated, "wrong username or password");
  if (!ValidateUsername(name).ok() || !ValidatePassword(password).ok()) return refused;
  struct Account {
    std::int64_t id = 0;
    std::string hash;
  };
  MINITOK_ASSIGN_OR_RETURN(const Account account, db_->Read([&](sql::Connection& c) -> Result<Account> {
    MINITOK_ASSIGN_OR_RETURN(auto find, c.Prepare(kFindByName));
    find.Bind(1, name);
    MINITOK_ASSIGN_OR_RETURN(const bool found, find.Step());
    if (!found) return Account{};
    return Account{find.ColumnInt(0), find.ColumnText(1)};
  }));
  if (account.id == 0) {
    hasher_.VerifyDummy(password);
    return refused;
  }
  if (!hasher_.Verify(account.hash, password)) return refused;
  return account.id;
}

Result<std::vector<UserProfile>> UserServiceSqlite::GetUsers(std::span<const std::int64_t> ids) {
  MINITOK_ASSIGN_OR_RETURN(auto found,
                           cache::GetMany(profiles_, ids, [this](auto missing) { return ReadProfiles(missing); }));
  return cache::Present(std::move(found));
}

Result<std::size_t> UserServiceSqlite::WarmCaches() {
  return cache::Warm(profiles_, [this](std::int64_t limit) {
    return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::pair<std::int64_t, UserProfile>>> {
      MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kOldestProfiles));
      select.Bind(1, limit);
      std::vector<std::pair<std::int64_t, UserProfile>> rows;
      for (;;) {
        MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
        if (!row) return rows;
        const std::int64_t id = select.ColumnInt(0);
        rows.emplace_back(id, UserProfile{id, select.ColumnText(1), select.ColumnText(2)});
      }
    });
  });
}

Result<std::vector<std::optional<UserProfile>>> UserServiceSqlite::ReadProfiles(std::span<const std::int64_t> ids) {
  const std::string batch = sql::IdArray(ids);
  MINITOK_ASSIGN_OR_RETURN(auto rows, db_->Read([&](sql::Connection& c) -> Result<std::vector<UserProfile>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kSelectByIds));
    select.Bind(1, std::string_view(batch));
    std::vector<UserProfile> users;
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return users;
      users.push_back({select.ColumnInt(0), select.ColumnText(1), select.ColumnText(2)});
    }
  }));
  return cache::AlignToIds(ids, std::move(rows), [](const UserProfile& p) { return p.id; });
}

}  // namespace minitok::user
