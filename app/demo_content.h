#pragma once
// Demo content: on a brand-new data folder, a few users and short generated videos (ffmpeg
// test sources with different looks and sounds), so that a first run shows a living feed.
// Runs in its own thread through the public service interfaces, like any client would.

#include <atomic>
#include <filesystem>
#include <thread>

#include "gateway/services.h"
#include "libs/log/logger.h"
#include "libs/media/probe.h"

namespace minitok::app {

class DemoJournal;

class DemoContent {
 public:
  /// Keeps its marker and journal in `data_dir`; generates clips in `scratch_dir` (this process's
  /// upload folder, on the same disk as the media folder the clips move into).
  DemoContent(gateway::Services services, media::MediaTools tools, std::filesystem::path data_dir,
              std::filesystem::path scratch_dir, log::Logger& logger);
  ~DemoContent();
  DemoContent(const DemoContent&) = delete;
  DemoContent& operator=(const DemoContent&) = delete;

  /// Starts seeding a folder that has no videos yet, or resumes a seeding a previous start did
  /// not finish; does nothing once it finished.
  void StartIfEmpty();
  /// Stops within about a second (a clip being generated is killed) and joins.
  void Stop();

 private:
  void Seed(bool resuming);
  Status SeedOrError(DemoJournal& journal);

  gateway::Services services_;
  media::MediaTools tools_;
  std::filesystem::path data_dir_;
  std::filesystem::path scratch_dir_;
  log::Logger& logger_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace minitok::app
