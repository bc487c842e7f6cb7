#pragma once
// Tiny real videos for the video module's tests, made with ffmpeg's test sources.

#include <atomic>
#include <string>

#include "libs/media/probe.h"
#include "libs/media/process.h"
#include "tests/support/temp_dir.h"

namespace minitok::video {

struct ClipSpec {
  int width = 64;
  int height = 48;
  int seconds = 1;
};

inline std::string MakeClip(const media::MediaTools& tools, const testing::TempDir& dir, const ClipSpec& spec) {
  static std::atomic<int> counter{0};
  const std::string path = dir.File("clip-" + std::to_string(++counter) + ".mp4");
  const std::string source = "testsrc=size=" + std::to_string(spec.width) + "x" + std::to_string(spec.height) + ":rate=10";
  auto run = media::RunProcess({tools.ffmpeg, "-v", "error", "-f", "lavfi", "-i", source, "-f", "lavfi", "-i",
                                "sine=frequency=440", "-t", std::to_string(spec.seconds), "-pix_fmt", "yuv420p",
                                "-c:v", "libx264", "-c:a", "aac", "-shortest", path},
                               {});
  if (!run.ok() || run->exit_code != 0) return dir.File("ffmpeg-failed");
  return path;
}

}  // namespace minitok::video
