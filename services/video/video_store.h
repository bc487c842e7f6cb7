#pragma once
// The video service's data layer: every SQL statement of the video database, for the service's
// requests and for its media pipeline. Safe to call from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libs/cache/data_version.h"
#include "libs/cache/keyed_cache.h"
#include "libs/core/clock.h"
#include "libs/sql/sqlite.h"
#include "services/video/transcode_jobs.h"
#include "services/video/video_service.h"

namespace minitok::video {

std::span<const EmbeddedFile> Migrations();

/// A video about to be created from an accepted upload.
struct NewVideo {
  std::int64_t author_id = 0;
  std::string title;
  std::string media_key;
  std::string original_path;  ///< relative to the media folder; served until the transcode is done
  std::string original_type;
  std::string cover_path;
  int width = 0;
  int height = 0;
  std::int64_t duration_ms = 0;
  bool has_audio = true;
};

class VideoStore final : public TranscodeJobs {
 public:
  /// `public_changes` (may be null) is bumped when a video becomes public (ready), once the
  /// store's caches have dropped what that made stale; changes only its author sees do not.
  VideoStore(std::unique_ptr<sql::Database> db, const Clock& clock, cache::DataVersion* public_changes = nullptr);

  // Requests.
  Result<FeedPage> Feed(std::int64_t before_ms, int limit);
  Result<std::vector<VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready, Page page);
  Result<std::vector<VideoRecord>> GetVideos(std::span<const std::int64_t> ids);
  Result<std::vector<WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids);
  /// The content type of a current media file of some video, or "" when it is none.
  Result<std::string> MediaType(const std::string& relative_path);

  // Publishing.
  /// Records that `media_key`'s folder is being filled, before any file is written.
  Status StageFolder(const std::string& media_key);
  /// Creates the video (processing), its transcode job, and unstages its folder: one transaction.
  Result<VideoRecord> InsertProcessing(const NewVideo& video);

  // The media pipeline (TranscodeJobs).
  Result<std::optional<Job>> ClaimDueJob() override;
  Result<std::optional<std::int64_t>> NextDueTime() override;
  Status MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) override;
  Status RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                    const std::string& reason) override;
  Status MarkFailed(std::int64_t video_id, const std::string& reason) override;
  Status SetStateReason(std::int64_t video_id, const std::string& reason) override;
  Result<std::vector<std::string>> Trash() override;
  Status ForgetTrash(const std::string& path) override;
  /// A running job goes back to waiting (its worker was lost), unless it ended meanwhile.
  Status ReleaseJob(std::int64_t video_id);

  /// Fills the caches at start (the most prolific authors' counts, the newest videos); returns how many.
  Result<std::size_t> WarmCaches();

  // Recovery at start.
  Result<std::vector<std::string>> StagedFolders();
  Status Unstage(const std::string& media_key);
  /// Jobs marked running belong to a process that died: they wait again.
  Status ResetRunningJobs();
  /// Media folders of videos that still have a job (they may hold partial files).
  Result<std::vector<std::string>> FoldersWithJobs();

 private:
  using VideoList = std::shared_ptr<const std::vector<VideoRecord>>;

  /// Who sees a change: only the author (a video that was never public: its upload, progress,
  /// retries, failure), or everyone (the video became ready: the feed and the work count change).
  enum class Audience { kAuthor, kEveryone };
  /// Drops what a change of the video touched: its record and its author's list, and for everyone
  /// also the feed's head and the author's work count; then tells public_changes.
  void Changed(std::int64_t video_id, std::int64_t author_id, Audience audience);
  /// Runs `write`, which changes one video and answers its author, then calls Changed.
  Result<std::int64_t> ChangeVideo(std::int64_t video_id, Audience audience,
                                   const std::function<Result<std::int64_t>(sql::Connection&)>& write);
  /// A cached list of newest videos under `key` (the feed's head, or an author's), read by `read`.
  Result<VideoList> Newest(std::int64_t key, const std::function<Result<std::vector<VideoRecord>>()>& read);
  Result<std::vector<VideoRecord>> ReadFeed(std::int64_t before_ms, std::int64_t limit);
  Result<std::vector<VideoRecord>> ReadByAuthor(std::int64_t author_id, bool include_unready, Page page);
  /// One entry per id, in order; nullopt for an id without a video.
  Result<std::vector<std::optional<VideoRecord>>> ReadRecords(std::span<const std::int64_t> ids);

  std::unique_ptr<sql::Database> db_;
  const Clock& clock_;
  cache::DataVersion* public_changes_;
  cache::KeyedCache<VideoRecord> records_;
  cache::KeyedCache<std::int64_t> work_counts_;
  /// Key 0: the feed's newest ready videos; key = author id: that author's newest videos (any state).
  cache::KeyedCache<VideoList> newest_;
};

}  // namespace minitok::video
