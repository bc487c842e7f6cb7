#pragma once
// The data folder every command works on: its layout, its token secret, its databases.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libs/config/server_config.h"
#include "libs/core/embedded_file.h"
#include "libs/sql/sqlite.h"

namespace minitok::app {

struct DataLayout {
  std::filesystem::path root;
  std::filesystem::path db;       ///< <service>.db files
  std::filesystem::path media;    ///< media/videos/<key>/...
  std::filesystem::path uploads;  ///< tmp/: uploads while they arrive
  std::filesystem::path secret;   ///< jwt-secret
  std::filesystem::path locks;    ///< locks/<service>.lock, locks/upload-<id>.lock: held while in use
};

/// Exclusive locks on services' databases, held while a command works on them: each database
/// belongs to one process (two processes on one database would each trust caches the other makes
/// stale). Processes running different services may share a folder.
class DatabaseLocks {
 public:
  /// Takes the locks of `services` in the folder `data_dir`, before anything in it is touched.
  /// With `create` the folder and the lock files are made if needed; without, a missing lock
  /// file has nothing to exclude. kFailedPrecondition if another process holds one.
  static Result<DatabaseLocks> Take(const std::string& data_dir, std::span<const std::string_view> services,
                                    bool create);
  DatabaseLocks(DatabaseLocks&& other) noexcept : fds_(std::move(other.fds_)) {}
  DatabaseLocks& operator=(DatabaseLocks&&) = delete;
  ~DatabaseLocks();

 private:
  DatabaseLocks() = default;
  std::vector<int> fds_;
};

/// Creates the folders if needed.
Result<DataLayout> PrepareDataDir(const std::string& data_dir);

/// This process's folder for uploads while they arrive (`tmp/<random>/`), locked while it lives
/// and removed with it. Claiming one removes the folders of processes that are gone (their lock
/// is free): their uploads are incomplete by definition. Several gateways may share `tmp/`.
class UploadFolder {
 public:
  static Result<UploadFolder> Claim(const DataLayout& layout);
  UploadFolder(UploadFolder&& other) noexcept
      : path_(std::move(other.path_)), lock_(std::move(other.lock_)), fd_(std::exchange(other.fd_, -1)) {}
  UploadFolder& operator=(UploadFolder&&) = delete;
  ~UploadFolder();

  const std::filesystem::path& path() const { return path_; }

 private:
  UploadFolder(std::filesystem::path path, std::filesystem::path lock, int fd)
      : path_(std::move(path)), lock_(std::move(lock)), fd_(fd) {}
  std::filesystem::path path_;
  std::filesystem::path lock_;
  int fd_;
};

/// Undoes what a start put on disk unless the start completes: a `serve` that fails (a port in
/// use, a database it refuses) leaves no new data folder behind. Made before the folder's lock; it
/// touches only a folder that was absent (removing every folder the start created above it too)
/// or empty (emptying it again).
class UndoUnlessStarted {
 public:
  explicit UndoUnlessStarted(const std::string& data_dir);
  ~UndoUnlessStarted();
  UndoUnlessStarted(const UndoUnlessStarted&) = delete;
  UndoUnlessStarted& operator=(const UndoUnlessStarted&) = delete;

  /// Keep everything: the start completed, or the folder turned out to be another process's.
  void Keep() { keep_ = true; }

 private:
  std::filesystem::path undo_;  ///< empty: the folder held something already
  bool contents_only_ = false;
  bool keep_ = false;
};

/// The layout of a folder that already holds minitok data (every service's database), touching
/// nothing; an error naming what is missing otherwise.
Result<DataLayout> ExistingDataDir(const std::string& data_dir);

/// The token secret: from the config, else kept in the data folder (created on first start).
Result<std::string> LoadSecret(const config::ServerConfig& config, const std::filesystem::path& path);

/// Sets the process time zone (for comment dates). Call before starting threads.
Status ApplyTimeZone(const std::string& zone);

/// Opens (and migrates) <db>/<name>.db with `options` (whose path this fills in).
Result<std::unique_ptr<sql::Database>> OpenDatabase(const DataLayout& layout, const std::string& name,
                                                    std::span<const EmbeddedFile> migrations,
                                                    sql::DatabaseOptions options);

}  // namespace minitok::app
