#include "services/video/media_pipeline.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "libs/media/files.h"
#include "libs/media/process.h"

namespace minitok::video {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTranscodedName = "play-2.mp4";

/// The last meaningful line of ffmpeg's stderr, without our paths: a reason an author can read.
std::string Summarize(const std::string& stderr_text, const std::string& media_dir) {
  std::string line;
  std::size_t end = stderr_text.find_last_not_of("\r\n ");
  if (end != std::string::npos) {
    const std::size_t start = stderr_text.rfind('\n', end);
    line = stderr_text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
  }
  for (std::size_t at; (at = line.find(media_dir)) != std::string::npos;) line.erase(at, media_dir.size());
  if (const auto colon = line.find(": "); colon != std::string::npos && line.find('/') < colon) {
    line = line.substr(colon + 2);  // "<file>: Invalid data ..." -> "Invalid data ..."
  }
  if (line.size() > 160) line.resize(160);
  return line.empty() ? "ffmpeg failed" : line;
}

}  // namespace

std::vector<std::string> TranscodeArguments(const media::MediaTools& tools, const TranscodeSettings& settings,
                                            const std::string& input, const std::string& demuxer,
                                            const std::string& output) {
  const std::string side = std::to_string(settings.max_short_side);
  // At most max_short_side on the short side, aspect kept, even dimensions. ffmpeg applies the
  // rotation a phone recorded before this filter (autorotate), so portrait stays portrait.
  const std::string scale = "scale=w='if(gte(iw,ih),-2,min(" + side + ",trunc(iw/2)*2))':h='if(gte(iw,ih),min(" +
                            side + ",trunc(ih/2)*2),-2)'";
  std::vector<std::string> argv{tools.ffmpeg, "-nostdin", "-v", "error", "-y", "-progress", "pipe:1", "-nostats"};
  media::AppendUntrustedInput(argv, demuxer, input);
  argv.insert(argv.end(), {"-map", "0:v:0", "-map", "0:a:0?", "-vf", scale, "-c:v", "libx264", "-preset",
                           settings.preset, "-crf", std::to_string(settings.crf), "-pix_fmt", "yuv420p", "-c:a", "aac",
                           "-b:a", settings.audio_bitrate, "-movflags", "+faststart", "-f", "mp4", "file:" + output});
  return argv;
}

media::ResourceLimits TranscodeLimits(const TranscodeSettings& settings) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(settings.timeout).count();
  const auto cores = std::max(1u, std::thread::hardware_concurrency());
  return {.cpu_seconds = static_cast<std::uint64_t>(seconds + 1) * cores,
          .address_space_bytes = 4ull << 30,
          .file_size_bytes = 2ull << 30,
          .open_files = 64};
}

MediaPipeline::MediaPipeline(TranscodeJobs& jobs, std::string media_dir, media::MediaTools tools,
                             TranscodeSettings settings, const Clock& clock, log::Logger& logger)
    : jobs_(jobs),
      media_dir_(std::move(media_dir)),
      tools_(std::move(tools)),
      settings_(std::move(settings)),
      clock_(clock),
      logger_(logger) {}

MediaPipeline::~MediaPipeline() { Stop(); }

namespace {

/// Deletes the files in the trash (originals a transcode replaced); what fails stays for later.
void EmptyTrash(TranscodeJobs& jobs, const std::string& media_dir) {
  auto trash = jobs.Trash();
  if (!trash.ok()) return;
  for (const auto& path : *trash) {
    std::error_code ec;
    fs::remove(fs::path(media_dir) / path, ec);
    (void)jobs.ForgetTrash(path);  // kept for the next time if this fails
  }
}

}  // namespace

Status RecoverMediaFolder(VideoStore& store, const std::string& media_dir, log::Logger& logger) {
  std::error_code ec;
  MINITOK_ASSIGN_OR_RETURN(const auto staged, store.StagedFolders());
  for (const auto& key : staged) {
    fs::remove_all(fs::path(media_dir) / "videos" / key, ec);
    MINITOK_RETURN_IF_ERROR(store.Unstage(key));
  }
  EmptyTrash(store, media_dir);
  MINITOK_RETURN_IF_ERROR(store.ResetRunningJobs());
  MINITOK_ASSIGN_OR_RETURN(const auto folders, store.FoldersWithJobs());
  for (const auto& key : folders) {
    for (const auto& entry : fs::directory_iterator(fs::path(media_dir) / "videos" / key, ec)) {
      if (entry.path().extension() == ".part") fs::remove(entry.path(), ec);
    }
  }
  if (!staged.empty() || !folders.empty()) {
    logger.Info("media pipeline: removed " + std::to_string(staged.size()) + " unfinished uploads, " +
                std::to_string(folders.size()) + " jobs to resume");
  }
  return Ok();
}

void MediaPipeline::Start() {
  stopping_ = false;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.workers); ++i) {
    workers_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "minitok-media");
      Work();
    });
  }
}

void MediaPipeline::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void MediaPipeline::Wake() {
  {
    std::lock_guard lock(mutex_);
    ++wake_count_;
  }
  wake_.notify_one();
}

void MediaPipeline::Work() {
  while (!stopping_) {
    std::uint64_t seen;
    {
      std::lock_guard lock(mutex_);
      seen = wake_count_;
    }
    auto job = jobs_.ClaimDueJob();
    if (job.ok() && job->has_value()) {
      Process(**job);
      continue;
    }
    if (!job.ok()) logger_.Error("media pipeline: cannot claim a job: " + job.error().detail);
    // Sleep until the next retry is due or a publish wakes us.
    auto next = jobs_.NextDueTime();
    std::unique_lock lock(mutex_);
    const auto woken = [&] { return stopping_ || wake_count_ != seen; };
    const auto poll = settings_.poll_every.count() > 0 ? settings_.poll_every : std::chrono::milliseconds::max();
    if (!job.ok() || !next.ok()) {
      wake_.wait_for(lock, std::min<std::chrono::milliseconds>(std::chrono::seconds(1), poll), woken);
    } else if (next->has_value()) {
      const auto delay = std::chrono::milliseconds(std::max<std::int64_t>(0, **next - clock_.NowMs()));
      wake_.wait_for(lock, std::min(delay, poll), woken);
    } else if (settings_.poll_every.count() > 0) {
      wake_.wait_for(lock, poll, woken);
    } else {
      wake_.wait(lock, woken);
    }
  }
}

void MediaPipeline::Process(const Job& job) {
  const fs::path dir = fs::path(media_dir_) / "videos" / job.media_key;
  const fs::path part = dir / (std::string(kTranscodedName) + ".part");
  const fs::path output = dir / kTranscodedName;
  const std::int64_t attempt = job.attempts + 1;
  const auto started = std::chrono::steady_clock::now();
  logger_.Info("transcoding video " + std::to_string(job.video_id) + " (attempt " + std::to_string(attempt) + ")");
  (void)jobs_.SetStateReason(job.video_id, "transcoding");

  // Progress: ffmpeg's "-progress" lines, reported at most every two seconds. A report also says
  // that this worker is alive (a worker in another process holds its job only while it reports).
  std::string pending;
  auto last_report = std::chrono::steady_clock::now();
  const auto on_progress = [&](std::string_view chunk) {
    pending.append(chunk);
    const auto key = pending.rfind("out_time_us=");
    if (key == std::string::npos) return;
    const auto end = pending.find('\n', key);
    if (end == std::string::npos) return;
    std::int64_t out_us = 0;
    std::from_chars(pending.data() + key + 12, pending.data() + end, out_us);
    pending.erase(0, end);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report < std::chrono::seconds(2)) return;
    last_report = now;
    if (job.duration_ms <= 0) {
      (void)jobs_.SetStateReason(job.video_id, "transcoding");
      return;
    }
    const auto percent = std::clamp<std::int64_t>(out_us / 10 / job.duration_ms, 0, 99);
    (void)jobs_.SetStateReason(job.video_id, "transcoding: " + std::to_string(percent) + "%");
  };

  // Sniffed again: the demuxer is never taken from anything but the file's own first bytes.
  const std::string input = (fs::path(media_dir_) / job.original_path).string();
  auto demuxer = media::SniffVideoContainer(input);
  auto run = demuxer.ok() ? media::RunProcess(TranscodeArguments(tools_, settings_, input, *demuxer, part.string()),
                                              {.timeout = settings_.timeout,
                                               .nice = settings_.nice,
                                               .max_output_bytes = 64 * 1024,
                                               .on_stdout = on_progress,
                                               .cancel = &stopping_,
                                               .limits = TranscodeLimits(settings_)})
                          : Result<media::ProcessResult>(demuxer.error());
  std::error_code ec;
  if (run.ok() && run->cancelled) {
    // Stopping: the job waits again at once, for another worker or the next start (this attempt
    // does not count).
    fs::remove(part, ec);
    (void)jobs_.RetryLater(job.video_id, job.attempts, clock_.NowMs(), "the media worker stopped");
    return;
  }
  std::string failure;
  if (!demuxer.ok()) {
    failure = "the original is not a video container";
  } else if (!run.ok()) {
    failure = "could not start ffmpeg";
  } else if (run->timed_out) {
    failure = "converting took too long";
  } else if (run->exit_code != 0) {
    failure = Summarize(run->stderr_text, media_dir_ + "/");
    logger_.Warn("ffmpeg failed for video " + std::to_string(job.video_id) + ": " + run->stderr_text.substr(0, 2000));
  } else if (auto synced = media::SyncFile(part); !synced.ok()) {
    failure = "could not store the converted video";
  } else {
    fs::rename(part, output, ec);
    if (ec || !media::SyncDirectory(dir).ok()) failure = "could not store the converted video";
  }
  if (failure.empty()) {
    const std::string play_path = "videos/" + job.media_key + "/" + kTranscodedName;
    if (auto ready = jobs_.MarkReady(job.video_id, play_path, settings_.keep_original); !ready.ok()) {
      logger_.Error("media pipeline: cannot mark video " + std::to_string(job.video_id) + " ready: " + ready.error().detail);
      return;  // the job stays "running" until the next start resumes it
    }
    EmptyTrash(jobs_, media_dir_);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    logger_.Info("video " + std::to_string(job.video_id) + " ready after " + std::to_string(seconds) + " s");
    return;
  }
  fs::remove(part, ec);
  if (attempt >= settings_.max_attempts) {
    (void)jobs_.MarkFailed(job.video_id, "the video could not be converted: " + failure);
    logger_.Warn("video " + std::to_string(job.video_id) + " failed: " + failure);
    return;
  }
  const auto backoff = settings_.retry_base.count() * (std::int64_t{1} << std::min<std::int64_t>(attempt - 1, 10));
  (void)jobs_.RetryLater(job.video_id, attempt, clock_.NowMs() + backoff, failure);
}

}  // namespace minitok::video
