#pragma once
// The transcode jobs as a media worker sees them: claim one that is due, report progress, finish
// it (ready, retry later, failed), and empty the trash of originals its success left. The video
// store is one (the media pipeline in the video process); a gRPC client of the video process is
// the other (rpc/video/jobs_grpc.h, for `--role media` on its own).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libs/core/result.h"

namespace minitok::video {

/// A transcode job, claimed by one worker.
struct Job {
  std::int64_t video_id = 0;
  std::int64_t attempts = 0;  ///< attempts made before this one
  std::string media_key;
  std::string original_path;
  std::int64_t duration_ms = 0;
  bool has_audio = true;
};

class TranscodeJobs {
 public:
  virtual ~TranscodeJobs() = default;
  /// The due job with the earliest due time, marked running; nullopt when none is due.
  virtual Result<std::optional<Job>> ClaimDueJob() = 0;
  /// When the next waiting job becomes due (epoch ms), or nullopt when none waits.
  virtual Result<std::optional<std::int64_t>> NextDueTime() = 0;
  /// The transcode is in place: the video plays it, becomes ready with a unique feed time, counts
  /// as its author's work, and its job ends. The original goes to the trash unless kept. Once per
  /// job: a second call for the same video changes nothing.
  virtual Status MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) = 0;
  /// kNotFound when the job ended already (as for MarkFailed).
  virtual Status RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                            const std::string& reason) = 0;
  virtual Status MarkFailed(std::int64_t video_id, const std::string& reason) = 0;
  /// What the author sees while the job runs ("transcoding: 40%"); also says the worker is alive.
  virtual Status SetStateReason(std::int64_t video_id, const std::string& reason) = 0;
  /// Media files (relative to the media folder) no video uses any more, to delete.
  virtual Result<std::vector<std::string>> Trash() = 0;
  /// `path` is deleted (or was gone).
  virtual Status ForgetTrash(const std::string& path) = 0;
};

}  // namespace minitok::video
