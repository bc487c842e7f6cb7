#include "app/data_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "app/roles.h"
#include "libs/media/files.h"
#include "libs/security/token_codec.h"

namespace minitok::app {

namespace fs = std::filesystem;

namespace {

/// Opens (or with `create` makes) `path` and takes its exclusive flock without waiting: the fd,
/// -1 when the file is absent and not to be made, kFailedPrecondition when another process holds it.
Result<int> LockFile(const fs::path& path, bool create, const std::string& holder) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0 && errno == ENOENT && !create) return -1;
  if (fd < 0) return MakeError(Code::kFailedPrecondition, "cannot open " + path.string() + ": " + std::strerror(errno));
  // flock, not fcntl locks: it belongs to this descriptor, so no other code of this process
  // closing the same file can drop it by accident.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return MakeError(Code::kFailedPrecondition,
                       holder + " is in use by another minitok process: stop it first, or use another --data-dir");
    }
    return MakeError(Code::kFailedPrecondition, "cannot lock " + path.string() + ": " + std::strerror(error));
  }
  return fd;
}

constexpr std::size_t kMinimumSecret = 32;

/// The secret in the first line of `path`, which `source` names in errors.
Result<std::string> ReadSecret(const fs::path& path, const std::string& source) {
  std::ifstream in(path);
  if (!in) return MakeError(Code::kFailedPrecondition, "cannot read " + source + " " + path.string());
  std::string secret;
  std::getline(in, secret);
  if (secret.size() >= kMinimumSecret) return secret;
  return MakeError(Code::kFailedPrecondition, source + " " + path.string() + " holds no secret of at least " +
                                                  std::to_string(kMinimumSecret) + " characters");
}

Result<DataLayout> LayoutOf(const std::string& data_dir) {
  std::error_code ec;
  DataLayout layout;
  layout.root = fs::absolute(data_dir, ec);
  if (ec) return MakeError(Code::kInvalidArgument, "bad --data-dir: " + ec.message());
  layout.db = layout.root / "db";
  layout.media = layout.root / "media";
  layout.uploads = layout.root / "tmp";
  layout.secret = layout.root / "jwt-secret";
  layout.locks = layout.root / "locks";
  return layout;
}

}  // namespace

Result<DataLayout> ExistingDataDir(const std::string& data_dir) {
  MINITOK_ASSIGN_OR_RETURN(auto layout, LayoutOf(data_dir));
  for (const std::string_view service : kServiceNames) {
    const fs::path database = layout.db / (std::string(service) + ".db");
    std::error_code ec;
    if (!fs::is_regular_file(database, ec)) {
      return MakeError(Code::kFailedPrecondition, layout.root.string() + " holds no minitok data (" +
                                                      database.string() + " is missing)");
    }
  }
  return layout;
}

Result<DataLayout> PrepareDataDir(const std::string& data_dir) {
  MINITOK_ASSIGN_OR_RETURN(auto layout, LayoutOf(data_dir));
  std::error_code ec;
  for (const auto& dir : {layout.root, layout.db, layout.media, layout.uploads}) {
    fs::create_directories(dir, ec);
    if (ec) return MakeError(Code::kInvalidArgument, "cannot create " + dir.string() + ": " + ec.message());
  }
  return layout;
}

Result<DatabaseLocks> DatabaseLocks::Take(const std::string& data_dir, std::span<const std::string_view> services,
                                          bool create) {
  MINITOK_ASSIGN_OR_RETURN(const auto layout, LayoutOf(data_dir));
  if (create) {
    std::error_code ec;
    fs::create_directories(layout.locks, ec);
    if (ec) return MakeError(Code::kInvalidArgument, "cannot create " + layout.locks.string() + ": " + ec.message());
  }
  DatabaseLocks locks;
  for (const std::string_view service : services) {
    MINITOK_ASSIGN_OR_RETURN(const int fd, LockFile(layout.locks / (std::string(service) + ".lock"), create,
                                                    layout.root.string() + " (its " + std::string(service) + " database)"));
    if (fd >= 0) locks.fds_.push_back(fd);
  }
  return locks;
}

DatabaseLocks::~DatabaseLocks() {
  for (const int fd : fds_) ::close(fd);
}

Result<UploadFolder> UploadFolder::Claim(const DataLayout& layout) {
  // A live process locks locks/upload-<id>.lock before it makes tmp/<id>/ and removes the folder
  // before the lock file: a folder whose lock file is missing or free belongs to no one.
  std::error_code ec;
  fs::create_directories(layout.locks, ec);
  if (ec) return MakeError(Code::kInvalidArgument, "cannot create " + layout.locks.string() + ": " + ec.message());
  const auto lock_of = [&](const std::string& id) { return layout.locks / ("upload-" + id + ".lock"); };
  for (const auto& entry : fs::directory_iterator(layout.uploads, ec)) {
    const fs::path lock = lock_of(entry.path().filename().string());
    auto owner = LockFile(lock, false, entry.path().string());
    if (!owner.ok()) continue;  // a live process's uploads
    fs::remove_all(entry.path(), ec);
    if (*owner >= 0) {
      fs::remove(lock, ec);
      ::close(*owner);
    }
  }
  const std::string id = security::RandomHex(8);
  MINITOK_ASSIGN_OR_RETURN(const int fd, LockFile(lock_of(id), true, layout.root.string()));
  UploadFolder folder(layout.uploads / id, lock_of(id), fd);
  fs::create_directories(folder.path_, ec);
  if (ec) return MakeError(Code::kInvalidArgument, "cannot create " + folder.path_.string() + ": " + ec.message());
  return folder;
}

UploadFolder::~UploadFolder() {
  if (fd_ < 0) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
  fs::remove(lock_, ec);
  ::close(fd_);
}

UndoUnlessStarted::UndoUnlessStarted(const std::string& data_dir) {
  std::error_code ec;
  fs::path root = fs::absolute(data_dir, ec);
  if (ec) return;
  if (fs::exists(root, ec)) {
    if (fs::is_directory(root, ec) && fs::is_empty(root, ec) && !ec) {
      undo_ = root;
      contents_only_ = true;
    }
    return;
  }
  if (ec) return;
  // The top-most ancestor that does not exist yet: create_directories makes it and all below.
  root = root.lexically_normal();
  while (root.has_relative_path() && !fs::exists(root.parent_path(), ec) && !ec) root = root.parent_path();
  if (!ec) undo_ = root;
}

UndoUnlessStarted::~UndoUnlessStarted() {
  if (keep_ || undo_.empty()) return;
  std::error_code ec;
  if (!contents_only_) {
    fs::remove_all(undo_, ec);
    return;
  }
  for (const auto& entry : fs::directory_iterator(undo_, ec)) fs::remove_all(entry.path(), ec);
}

Result<std::string> LoadSecret(const config::ServerConfig& config, const fs::path& path) {
  if (!config.jwt_secret.empty()) return config.jwt_secret;
  if (const char* from_environment = std::getenv("MINITOK_JWT_SECRET"); from_environment && *from_environment) {
    if (std::strlen(from_environment) < kMinimumSecret) {
      return MakeError(Code::kInvalidArgument, "MINITOK_JWT_SECRET must be at least 32 characters");
    }
    return std::string(from_environment);
  }
  if (!config.jwt_secret_file.empty()) return ReadSecret(config.jwt_secret_file, "jwt_secret_file");
  std::error_code ec;
  if (fs::exists(path, ec)) {
    auto kept = ReadSecret(path, "the token secret");
    if (kept.ok()) return kept;
    return MakeError(Code::kFailedPrecondition, kept.error().message + ": delete it to issue a new secret "
                                                                       "(every user will have to log in again)");
  }
  // A new secret, durable before it signs anything. Several gateways may start together on a new
  // folder: link() lets exactly one secret in, and the others read that one.
  const std::string secret = security::RandomHex(kMinimumSecret);
  const fs::path temporary = path.string() + "." + security::RandomHex(6) + ".new";
  {
    const mode_t previous = umask(077);
    std::ofstream out(temporary, std::ios::trunc);
    umask(previous);
    out << secret << "\n";
    out.close();
    if (!out) return MakeError(Code::kFailedPrecondition, "cannot write " + temporary.string());
  }
  const auto remove_temporary = [&] { fs::remove(temporary, ec); };
  if (auto synced = media::SyncFile(temporary); !synced.ok()) {
    remove_temporary();
    return synced.error();
  }
  const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
  const int link_error = errno;
  remove_temporary();
  if (!linked && link_error == EEXIST) return ReadSecret(path, "the token secret");
  if (!linked) return MakeError(Code::kFailedPrecondition, "cannot write " + path.string() + ": " + std::strerror(link_error));
  MINITOK_RETURN_IF_ERROR(media::SyncDirectory(path.parent_path()));
  return secret;
}

Status ApplyTimeZone(const std::string& zone) {
  if (zone != "UTC" && !fs::exists(fs::path("/usr/share/zoneinfo") / zone)) {
    return MakeError(Code::kInvalidArgument, "unknown time_zone \"" + zone + "\" (e.g. UTC, Asia/Shanghai)");
  }
  // Before any thread starts: localtime_r reads TZ.
  setenv("TZ", zone.c_str(), 1);
  tzset();
  return Ok();
}

Result<std::unique_ptr<sql::Database>> OpenDatabase(const DataLayout& layout, const std::string& name,
                                                    std::span<const EmbeddedFile> migrations,
                                                    sql::DatabaseOptions options) {
  options.path = (layout.db / (name + ".db")).string();
  return sql::Database::Open(options, migrations);
}

}  // namespace minitok::app
