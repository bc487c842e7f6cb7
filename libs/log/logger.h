#pragma once
// Process log: one line per event on stderr, written by a background thread so that the event
// loop never waits on the terminal or a pipe.

#include <memory>
#include <string_view>

namespace spdlog {
class logger;
}

namespace minitok::log {

enum class Level { kInfo, kWarn, kError };

/// Thread-safe; lines are queued and written asynchronously. Never pass a secret (tokens,
/// passwords) to it: nothing here redacts.
class Logger {
 public:
  Logger();
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  /// Writes `line` as is (used for pre-formatted JSON access-log lines).
  void Raw(std::string_view line);
  /// Writes {"level":..,"msg":..} as one JSON line.
  void Write(Level level, std::string_view message);
  void Info(std::string_view message) { Write(Level::kInfo, message); }
  void Warn(std::string_view message) { Write(Level::kWarn, message); }
  void Error(std::string_view message) { Write(Level::kError, message); }
  /// Blocks until queued lines are written (used at shutdown).
  void Flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minitok::log
