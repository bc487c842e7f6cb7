#pragma once
// Process log: one line per event on stderr. Callers only append to a buffer; a background thread
// writes it out in batches (every 100 ms, or sooner when 64 KiB are waiting), so the event loop
// never waits on the terminal or a pipe and a busy server does not wake a thread per line (a
// per-line queue, as spdlog's async logger has, cost 11 % of the CPU of a cached feed read).

#include <atomic>
#include <memory>
#include <optional>
#include <string_view>

namespace minitok::log {

enum class Level { kInfo, kWarn, kError };

/// "info", "warn" or "error".
std::optional<Level> ParseLevel(std::string_view name);

/// Thread-safe. When more than 4 MiB wait unwritten, new lines are dropped (and the count of
/// dropped lines is logged) rather than blocking a request. Never pass a secret (tokens,
/// passwords) to it: nothing here redacts.
class Logger {
 public:
  /// `fd`: where lines go (stderr unless a test says otherwise).
  explicit Logger(int fd = 2);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  /// Lines below `level` are dropped from now on (the level may change while serving).
  void SetMinimumLevel(Level level) { minimum_.store(level, std::memory_order_relaxed); }

  /// Writes `line` as is (used for pre-formatted JSON access-log lines, which count as info).
  void Raw(std::string_view line);
  /// Writes {"ts_ms":..,"level":..,"msg":..} as one JSON line.
  void Write(Level level, std::string_view message);
  void Info(std::string_view message) { Write(Level::kInfo, message); }
  void Warn(std::string_view message) { Write(Level::kWarn, message); }
  void Error(std::string_view message) { Write(Level::kError, message); }
  /// Blocks until every line appended so far is written (used at shutdown).
  void Flush();

 private:
  bool Drops(Level level) const { return level < minimum_.load(std::memory_order_relaxed); }

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<Level> minimum_{Level::kInfo};
};

}  // namespace minitok::log
