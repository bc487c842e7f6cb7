#pragma once
// The data folder every command works on: its layout, its token secret, its databases.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

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
};

/// Creates the folders if needed and clears leftovers of interrupted uploads.
Result<DataLayout> PrepareDataDir(const std::string& data_dir);

/// Undoes what a start put on disk unless the start completes: a `serve` that fails (a port in
/// use, a database it refuses) leaves no new data folder behind. Made before PrepareDataDir; it
/// touches only a folder that was absent (removing every folder the start created above it too)
/// or empty (emptying it again).
class UndoUnlessStarted {
 public:
  explicit UndoUnlessStarted(const std::string& data_dir);
  ~UndoUnlessStarted();
  UndoUnlessStarted(const UndoUnlessStarted&) = delete;
  UndoUnlessStarted& operator=(const UndoUnlessStarted&) = delete;

  /// The start completed: keep everything.
  void Started() { started_ = true; }

 private:
  std::filesystem::path undo_;  ///< empty: the folder held something already
  bool contents_only_ = false;
  bool started_ = false;
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
