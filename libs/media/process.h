#pragma once
// Child processes (ffmpeg, ffprobe): an argument vector (never a shell), a time limit, the
// child dies with its parent, output captured. The child runs with resource limits and an empty
// environment, since it reads files strangers uploaded. Blocking: call from a worker pool only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/result.h"

namespace minitok::media {

/// Kernel limits on the child (setrlimit); 0 leaves one as it is inherited.
struct ResourceLimits {
  std::uint64_t cpu_seconds = 0;          ///< CPU time of all its threads together
  std::uint64_t address_space_bytes = 0;  ///< virtual memory
  std::uint64_t file_size_bytes = 0;      ///< largest file it may write
  std::uint64_t open_files = 0;
};

struct ProcessOptions {
  std::chrono::milliseconds timeout{60000};
  int nice = 0;
  /// Output beyond this is discarded (the tail of stderr is what the log needs).
  std::size_t max_output_bytes = 1 << 20;
  /// Called with each chunk of stdout as it arrives (progress reports).
  std::function<void(std::string_view)> on_stdout;
  /// When it becomes true, the child is killed (checked at least every 100 ms).
  const std::atomic<bool>* cancel = nullptr;
  ResourceLimits limits;
};

struct ProcessResult {
  int exit_code = -1;  ///< -1 when killed by a signal
  bool timed_out = false;
  bool cancelled = false;
  std::string stdout_text;
  std::string stderr_text;
};

/// Runs argv[0] (an absolute path) with argv. Errors only when it cannot be started.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options);

/// Absolute path of `program` on PATH, or empty.
std::string FindOnPath(const std::string& program);

}  // namespace minitok::media
