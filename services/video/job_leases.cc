#include "services/video/job_leases.h"

#include <vector>

namespace minitok::video {

JobLeases::JobLeases(VideoStore& store, const Clock& clock, std::chrono::milliseconds lease, log::Logger& logger)
    : store_(store), clock_(clock), lease_(lease), logger_(logger) {}

JobLeases::~JobLeases() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (reaper_.joinable()) reaper_.join();
}

void JobLeases::Start() {
  reaper_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
      lock.unlock();
      ReleaseExpired();
      lock.lock();
    }
  });
}

std::size_t JobLeases::ReleaseExpired() {
  std::vector<std::int64_t> expired;
  {
    std::lock_guard lock(mutex_);
    const std::int64_t now = clock_.NowMs();
    for (auto it = expiry_ms_.begin(); it != expiry_ms_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      expired.push_back(it->first);
      it = expiry_ms_.erase(it);
    }
  }
  for (const std::int64_t video_id : expired) {
    if (auto released = store_.ReleaseJob(video_id); !released.ok()) {
      logger_.Error("media jobs: cannot release the job of video " + std::to_string(video_id) + ": " +
                    released.error().detail);
      continue;
    }
    logger_.Warn("media jobs: the worker of video " + std::to_string(video_id) + " was not heard of for " +
                 std::to_string(lease_.count()) + " ms; its job waits for another worker");
  }
  return expired.size();
}

void JobLeases::Renew(std::int64_t video_id) {
  std::lock_guard lock(mutex_);
  if (const auto it = expiry_ms_.find(video_id); it != expiry_ms_.end()) it->second = clock_.NowMs() + lease_.count();
}

void JobLeases::End(std::int64_t video_id) {
  std::lock_guard lock(mutex_);
  expiry_ms_.erase(video_id);
}

Result<std::optional<Job>> JobLeases::ClaimDueJob() {
  auto job = store_.ClaimDueJob();
  if (job.ok() && job->has_value()) {
    std::lock_guard lock(mutex_);
    expiry_ms_[(*job)->video_id] = clock_.NowMs() + lease_.count();
  }
  return job;
}

Result<std::optional<std::int64_t>> JobLeases::NextDueTime() { return store_.NextDueTime(); }

Status JobLeases::MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) {
  auto done = store_.MarkReady(video_id, play_path, keep_original);
  if (done.ok()) End(video_id);
  return done;
}

Status JobLeases::RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                             const std::string& reason) {
  auto done = store_.RetryLater(video_id, attempts, due_ms, reason);
  End(video_id);  // waiting again (or ended): no worker holds it
  return done;
}

Status JobLeases::MarkFailed(std::int64_t video_id, const std::string& reason) {
  auto done = store_.MarkFailed(video_id, reason);
  End(video_id);
  return done;
}

Status JobLeases::SetStateReason(std::int64_t video_id, const std::string& reason) {
  Renew(video_id);
  return store_.SetStateReason(video_id, reason);
}

Result<std::vector<std::string>> JobLeases::Trash() { return store_.Trash(); }

Status JobLeases::ForgetTrash(const std::string& path) { return store_.ForgetTrash(path); }

}  // namespace minitok::video
