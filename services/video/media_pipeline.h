#pragma once
// The media pipeline: a bounded pool of workers that run the durable transcode jobs the video
// service writes with each publish. ffmpeg runs as a child process (argument vector, time limit,
// lower priority, dies with us); each attempt writes a ".part" file renamed into place when
// complete; failures retry with backoff, then mark the video failed with a reason.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "libs/core/clock.h"
#include "libs/log/logger.h"
#include "libs/media/probe.h"
#include "services/video/video_store.h"

namespace minitok::video {

struct TranscodeSettings {
  std::size_t workers = 1;
  std::string preset = "veryfast";
  int crf = 23;
  int max_short_side = 720;
  std::string audio_bitrate = "128k";
  std::chrono::milliseconds timeout{30 * 60 * 1000};
  int max_attempts = 3;
  std::chrono::milliseconds retry_base{2000};
  bool keep_original = false;
  int nice = 10;
  /// How often an idle worker asks for a job: only for jobs in another process, whose publishes
  /// cannot wake it (zero: it sleeps until woken or a retry is due).
  std::chrono::milliseconds poll_every{0};
};

/// The ffmpeg arguments of one transcode (exposed for tests and the benchmark).
/// The ffmpeg command that transcodes `input`, read with `demuxer` forced (see media::AppendUntrustedInput).
std::vector<std::string> TranscodeArguments(const media::MediaTools& tools, const TranscodeSettings& settings,
                                            const std::string& input, const std::string& demuxer,
                                            const std::string& output);
/// Limits for one transcode: CPU time for its timeout on every core, 4 GiB of address space, an
/// output of at most 2 GiB.
media::ResourceLimits TranscodeLimits(const TranscodeSettings& settings);

/// Repairs what a crash of the video process left in the media folder: removes folders of uploads
/// that never committed, files whose removal was committed, partial transcodes; makes jobs of
/// workers that died wait again. The video process calls it once, before any worker starts.
Status RecoverMediaFolder(VideoStore& store, const std::string& media_dir, log::Logger& logger);

class MediaPipeline {
 public:
  /// `jobs`: the video store itself, or a client of the video process's jobs.
  MediaPipeline(TranscodeJobs& jobs, std::string media_dir, media::MediaTools tools, TranscodeSettings settings,
                const Clock& clock, log::Logger& logger);
  ~MediaPipeline();
  MediaPipeline(const MediaPipeline&) = delete;
  MediaPipeline& operator=(const MediaPipeline&) = delete;

  void Start();
  /// Stops the workers; a transcode in progress is killed and its job resumes on the next start.
  void Stop();
  /// A job was queued: wake a sleeping worker now (no polling delay). Thread-safe.
  void Wake();

 private:
  void Work();
  void Process(const Job& job);

  TranscodeJobs& jobs_;
  std::string media_dir_;
  media::MediaTools tools_;
  TranscodeSettings settings_;
  const Clock& clock_;
  log::Logger& logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t wake_count_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

}  // namespace minitok::video
