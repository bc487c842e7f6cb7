#pragma once
// The transcode jobs as media workers in other processes get them. A job a worker claims stays
// its own while the worker reports on it (progress, every two seconds while ffmpeg runs); one not
// heard of for the lease goes back to waiting, so that a worker that died (SIGKILL, a lost host)
// does not hold its video "processing" until the video process restarts. Should the lost worker
// finish after all, its result is one of two for the same job, and a job ends once.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "libs/core/clock.h"
#include "libs/log/logger.h"
#include "services/video/transcode_jobs.h"
#include "services/video/video_store.h"

namespace minitok::video {

class JobLeases final : public TranscodeJobs {
 public:
  JobLeases(VideoStore& store, const Clock& clock, std::chrono::milliseconds lease, log::Logger& logger);
  ~JobLeases() override;
  JobLeases(const JobLeases&) = delete;
  JobLeases& operator=(const JobLeases&) = delete;

  /// Starts releasing expired leases, once a second, until destroyed.
  void Start();
  /// Releases every job whose lease ran out; returns how many.
  std::size_t ReleaseExpired();

  Result<std::optional<Job>> ClaimDueJob() override;
  Result<std::optional<std::int64_t>> NextDueTime() override;
  Status MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) override;
  Status RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                    const std::string& reason) override;
  Status MarkFailed(std::int64_t video_id, const std::string& reason) override;
  Status SetStateReason(std::int64_t video_id, const std::string& reason) override;
  Result<std::vector<std::string>> Trash() override;
  Status ForgetTrash(const std::string& path) override;

 private:
  void Renew(std::int64_t video_id);
  void End(std::int64_t video_id);

  VideoStore& store_;
  const Clock& clock_;
  const std::chrono::milliseconds lease_;
  log::Logger& logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::int64_t, std::int64_t> expiry_ms_;  ///< by video id
  std::thread reaper_;
};

}  // namespace minitok::video
