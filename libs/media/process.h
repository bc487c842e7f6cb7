#pragma once
// Child processes (ffmpeg, ffprobe): an argument vector (never a shell), a time limit, the
// child dies with its parent, output captured. Blocking: call from a worker pool only.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/result.h"

namespace minitok::media {

struct ProcessOptions {
  std::chrono::milliseconds timeout{60000};
  int nice = 0;
  /// Output beyond this is discarded (the tail of stderr is what the log needs).
  std::size_t max_output_bytes = 1 << 20;
  /// Called with each chunk of stdout as it arrives (progress reports).
  std::function<void(std::string_view)> on_stdout;
  /// When it becomes true, the child is killed (checked at least once a second).
  const std::atomic<bool>* cancel = nullptr;
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
