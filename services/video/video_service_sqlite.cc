#include "services/video/video_service_sqlite.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "embedded/video_migrations.h"
#include "libs/core/text.h"
#include "libs/security/token_codec.h"

namespace minitok::video {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kLastReadyTime = "SELECT COALESCE(MAX(ready_ms), 0) FROM videos WHERE state = 1";
constexpr std::string_view kInsert =
    "INSERT INTO videos (author_id, title, play_path, play_type, cover_path, state, created_ms, ready_ms) "
    "VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
constexpr std::string_view kCountWork =
    "INSERT INTO author_stats (user_id, work_count) VALUES (?, 1) "
    "ON CONFLICT (user_id) DO UPDATE SET work_count = work_count + 1";
constexpr std::string_view kFeed =
    "SELECT id, author_id, title, play_path, cover_path, state, state_reason, created_ms, ready_ms "
    "FROM videos WHERE state = 1 AND ready_ms < ? ORDER BY ready_ms DESC LIMIT ?";
constexpr std::string_view kByAuthorAll =
    "SELECT id, author_id, title, play_path, cover_path, state, state_reason, created_ms, ready_ms "
    "FROM videos WHERE author_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kByAuthorReady =
    "SELECT id, author_id, title, play_path, cover_path, state, state_reason, created_ms, ready_ms "
    "FROM videos WHERE author_id = ? AND state = 1 ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kByIds =
    "SELECT id, author_id, title, play_path, cover_path, state, state_reason, created_ms, ready_ms "
    "FROM videos WHERE id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kWorkCounts =
    "SELECT user_id, work_count FROM author_stats WHERE user_id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kPlayType = "SELECT play_type FROM videos WHERE play_path = ?";
constexpr std::string_view kIsCover = "SELECT 1 FROM videos WHERE cover_path = ?";

VideoRecord ReadVideo(const sql::Statement& s) {
  VideoRecord v;
  v.id = s.ColumnInt(0);
  v.author_id = s.ColumnInt(1);
  v.title = s.ColumnText(2);
  v.play_path = s.ColumnText(3);
  v.cover_path = s.ColumnText(4);
  v.state = static_cast<VideoState>(s.ColumnInt(5));
  v.state_reason = s.ColumnText(6);
  v.created_ms = s.ColumnInt(7);
  v.ready_ms = s.ColumnInt(8);
  return v;
}

Result<std::vector<VideoRecord>> ReadVideos(sql::Statement& s) {
  std::vector<VideoRecord> videos;
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return videos;
    videos.push_back(ReadVideo(s));
  }
}

/// Makes a file's content (or a directory's entries) durable before a row points at it.
Status SyncPath(const fs::path& path, bool directory) {
  const int fd = open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return InternalError("open for fsync: " + path.string());
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return InternalError("fsync: " + path.string());
  return Ok();
}

/// Removes a half-built media folder unless the video row was committed.
class FolderGuard {
 public:
  explicit FolderGuard(fs::path path) : path_(std::move(path)) {}
  ~FolderGuard() {
    if (!committed_) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  void Commit() { committed_ = true; }

 private:
  fs::path path_;
  bool committed_ = false;
};

}  // namespace

std::span<const EmbeddedFile> Migrations() { return video_migrations::Files(); }

Status ValidateTitle(std::string_view title) {
  const auto length = CountUtf8CodePoints(title);
  if (!length) return MakeError(Code::kInvalidArgument, "title is not valid UTF-8");
  if (TrimAsciiWhitespace(title).empty()) return MakeError(Code::kInvalidArgument, "title is required");
  if (*length > 100) return MakeError(Code::kInvalidArgument, "title must be at most 100 characters");
  if (HasControlCharacters(title, false)) {
    return MakeError(Code::kInvalidArgument, "title must not contain control characters");
  }
  return Ok();
}

VideoServiceSqlite::VideoServiceSqlite(std::unique_ptr<sql::Database> db, VideoStorage storage,
                                       const Clock& clock)
    : db_(std::move(db)), storage_(std::move(storage)), clock_(clock) {}

Result<VideoRecord> VideoServiceSqlite::Publish(const PublishRequest& request) {
  MINITOK_RETURN_IF_ERROR(ValidateTitle(request.title));
  MINITOK_ASSIGN_OR_RETURN(const auto info, media::ProbeVideo(storage_.tools, request.upload_path));
  const auto container = media::ContainerTypeOf(info);

  // Files go into a fresh folder named by a random key, so the row can name them in the same
  // transaction that creates it: either the row and its files exist, or neither.
  const std::string key = security::RandomHex(8);
  const std::string relative_dir = "videos/" + key;
  const fs::path dir = fs::path(storage_.media_dir) / relative_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("create media folder: " + ec.message());
  FolderGuard guard(dir);
  const std::string play_name = "play-1." + container.extension;
  const std::string cover_name = "cover-1.jpg";
  fs::rename(request.upload_path, dir / play_name, ec);
  if (ec) return InternalError("move upload: " + ec.message());
  MINITOK_RETURN_IF_ERROR(
      media::ExtractCover(storage_.tools, (dir / play_name).string(), info.duration_seconds,
                          (dir / cover_name).string()));
  MINITOK_RETURN_IF_ERROR(SyncPath(dir / play_name, false));
  MINITOK_RETURN_IF_ERROR(SyncPath(dir / cover_name, false));
  MINITOK_RETURN_IF_ERROR(SyncPath(dir, true));
  MINITOK_RETURN_IF_ERROR(SyncPath(dir.parent_path(), true));

  VideoRecord video;
  video.author_id = request.author_id;
  video.title = request.title;
  video.play_path = relative_dir + "/" + play_name;
  video.cover_path = relative_dir + "/" + cover_name;
  video.state = VideoState::kReady;
  MINITOK_ASSIGN_OR_RETURN(video, db_->Write([&](sql::Connection& c) -> Result<VideoRecord> {
    MINITOK_ASSIGN_OR_RETURN(auto last, c.Prepare(kLastReadyTime));
    MINITOK_ASSIGN_OR_RETURN(const bool has_last, last.Step());
    const std::int64_t now = clock_.NowMs();
    // Feed times are unique so that paging with a strict "<" never skips a video.
    const std::int64_t ready_ms = std::max(now, (has_last ? last.ColumnInt(0) : 0) + 1);
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsert));
    insert.Bind(1, video.author_id)
        .Bind(2, std::string_view(video.title))
        .Bind(3, std::string_view(video.play_path))
        .Bind(4, std::string_view(container.mime))
        .Bind(5, std::string_view(video.cover_path))
        .Bind(6, now)
        .Bind(7, ready_ms);
    MINITOK_RETURN_IF_ERROR(insert.Run());
    VideoRecord stored = video;
    stored.id = c.LastInsertRowId();
    MINITOK_ASSIGN_OR_RETURN(auto count, c.Prepare(kCountWork));
    MINITOK_RETURN_IF_ERROR(count.Bind(1, video.author_id).Run());
    stored.created_ms = now;
    stored.ready_ms = ready_ms;
    return stored;
  }));
  guard.Commit();
  return video;
}

Result<FeedPage> VideoServiceSqlite::Feed(std::int64_t before_ms, int limit) {
  return db_->Read([&](sql::Connection& c) -> Result<FeedPage> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kFeed));
    select.Bind(1, before_ms).Bind(2, static_cast<std::int64_t>(limit));
    FeedPage page;
    MINITOK_ASSIGN_OR_RETURN(page.videos, ReadVideos(select));
    page.next_time_ms = page.videos.empty() ? before_ms : page.videos.back().ready_ms;
    return page;
  });
}

Result<std::vector<VideoRecord>> VideoServiceSqlite::ListByAuthor(std::int64_t author_id,
                                                                  bool include_unready, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<VideoRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(include_unready ? kByAuthorAll : kByAuthorReady));
    select.Bind(1, author_id).Bind(2, page.limit).Bind(3, page.offset);
    return ReadVideos(select);
  });
}

Result<std::vector<VideoRecord>> VideoServiceSqlite::GetVideos(std::span<const std::int64_t> ids) {
  if (ids.empty()) return std::vector<VideoRecord>{};
  const std::string batch = sql::IdArray(ids);
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<VideoRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kByIds));
    select.Bind(1, std::string_view(batch));
    return ReadVideos(select);
  });
}

Result<std::vector<WorkCount>> VideoServiceSqlite::GetWorkCounts(std::span<const std::int64_t> user_ids) {
  std::vector<WorkCount> counts;
  counts.reserve(user_ids.size());
  for (const auto id : user_ids) counts.push_back({id, 0});
  if (user_ids.empty()) return counts;
  const std::string batch = sql::IdArray(user_ids);
  MINITOK_RETURN_IF_ERROR(db_->Read([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kWorkCounts));
    select.Bind(1, std::string_view(batch));
    for (;;) {
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return Ok();
      for (auto& count : counts) {
        if (count.user_id == select.ColumnInt(0)) count.work_count = select.ColumnInt(1);
      }
    }
  }));
  return counts;
}

Result<MediaFile> VideoServiceSqlite::FindMedia(std::string_view relative_path) {
  // Only names this service generates; anything else (.., absolute paths, odd bytes) is unknown.
  static const std::regex kShape(R"(videos/[0-9a-f]{16}/(play|cover)-[0-9]{1,6}\.[a-z0-9]{2,4})");
  const Error not_found = MakeError(Code::kNotFound, "no such media file");
  const std::string path(relative_path);
  if (!std::regex_match(path, kShape)) return not_found;
  MINITOK_ASSIGN_OR_RETURN(auto type, db_->Read([&](sql::Connection& c) -> Result<std::string> {
    MINITOK_ASSIGN_OR_RETURN(auto play, c.Prepare(kPlayType));
    play.Bind(1, std::string_view(path));
    MINITOK_ASSIGN_OR_RETURN(const bool is_play, play.Step());
    if (is_play) return play.ColumnText(0);
    MINITOK_ASSIGN_OR_RETURN(auto cover, c.Prepare(kIsCover));
    cover.Bind(1, std::string_view(path));
    MINITOK_ASSIGN_OR_RETURN(const bool is_cover, cover.Step());
    if (is_cover) return std::string("image/jpeg");
    return std::string();
  }));
  if (type.empty()) return not_found;
  return MediaFile{(fs::path(storage_.media_dir) / path).string(), std::move(type)};
}

}  // namespace minitok::video
