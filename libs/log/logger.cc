#include "libs/log/logger.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "libs/core/clock.h"
#include "libs/json/json_writer.h"

namespace minitok::log {
namespace {

constexpr std::size_t kWakeBytes = 64 * 1024;
constexpr std::size_t kMaxPendingBytes = 4 * 1024 * 1024;
constexpr auto kFlushInterval = std::chrono::milliseconds(100);

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: nothing better to do than drop
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

struct Logger::Impl {
  explicit Impl(int out_fd) : fd(out_fd), writer([this] { Run(); }) {}

  ~Impl() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_one();
    writer.join();
    WriteOut();
  }

  void Append(std::string_view line) {
    bool wake_writer = false;
    {
      const std::lock_guard lock(mutex);
      if (pending.size() + line.size() + 1 > kMaxPendingBytes) {
        ++dropped;
        return;
      }
      pending.append(line);
      pending.push_back('\n');
      wake_writer = pending.size() >= kWakeBytes;
    }
    if (wake_writer) wake.notify_one();
  }

  /// Writes what is pending; one writer at a time so that lines keep their order.
  void WriteOut() {
    const std::lock_guard write_lock(write_mutex);
    std::string batch;
    std::size_t lost = 0;
    {
      const std::lock_guard lock(mutex);
      batch.swap(pending);
      std::swap(lost, dropped);
    }
    if (lost > 0) batch += "{\"level\":\"warn\",\"msg\":\"log lines dropped: " + std::to_string(lost) + "\"}\n";
    WriteAll(fd, batch);
  }

  void Run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake.wait_for(lock, kFlushInterval, [this] { return stopping || pending.size() >= kWakeBytes; });
      lock.unlock();
      WriteOut();
      lock.lock();
    }
  }

  const int fd;
  std::mutex mutex;
  std::condition_variable wake;
  std::string pending;
  std::size_t dropped = 0;
  bool stopping = false;
  std::mutex write_mutex;
  std::thread writer;  // last: starts once everything above exists
};

Logger::Logger(int fd) : impl_(std::make_unique<Impl>(fd)) {}

Logger::~Logger() = default;

std::optional<Level> ParseLevel(std::string_view name) {
  if (name == "info") return Level::kInfo;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  return std::nullopt;
}

void Logger::Raw(std::string_view line) {
  if (!Drops(Level::kInfo)) impl_->Append(line);
}

void Logger::Write(Level level, std::string_view message) {
  static constexpr std::string_view kNames[] = {"info", "warn", "error"};
  if (Drops(level)) return;
  json::JsonWriter line;
  line.BeginObject()
      .Member("ts_ms", SystemClock().NowMs())
      .Member("level", kNames[static_cast<int>(level)])
      .Member("msg", message)
      .EndObject();
  impl_->Append(line.str());
}

void Logger::Flush() { impl_->WriteOut(); }

}  // namespace minitok::log
