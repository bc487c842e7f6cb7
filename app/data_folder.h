#pragma once
// The data folder every command works on: its layout, its token secret, its databases.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>

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
  std::filesystem::path lock;     ///< .lock: held by the one process working on the folder
};

/// The data folder's exclusive lock, held while a command works on it: one folder belongs to one
/// process (two servers on one folder would each trust caches the other makes stale).
class FolderLock {
 public:
  /// Takes the lock of the folder `data_dir`, before anything in it is touched. With `create`
  /// the folder and its lock file are made if needed; without, a folder with no lock file has
  /// nothing to exclude (the lock is then empty). kFailedPrecondition if another process holds it.
  static Result<FolderLock> Take(const std::string& data_dir, bool create);
  FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FolderLock& operator=(FolderLock&&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_;
};

/// Creates the folders if needed and clears leftovers of interrupted uploads.
Result<DataLayout> PrepareDataDir(const std::string& data_dir);

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
