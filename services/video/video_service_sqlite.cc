#include "services/video/video_service_sqlite.h"

#include <filesystem>

#include "libs/core/text.h"
#include "libs/media/files.h"
#include "libs/security/token_codec.h"

namespace minitok::video {
namespace {

namespace fs = std::filesystem;

/// Removes a half-built media folder, and its staging record, unless the video row was committed.
class FolderGuard {
 public:
  FolderGuard(VideoStore& store, fs::path path, std::string key)
      : store_(store), path_(std::move(path)), key_(std::move(key)) {}
  ~FolderGuard() {
    if (committed_) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
    (void)store_.Unstage(key_);  // if this fails too, the next start removes the folder
  }
  void Commit() { committed_ = true; }

 private:
  VideoStore& store_;
  fs::path path_;
  std::string key_;
  bool committed_ = false;
};

/// True for names this service generates: videos/<16 hex>/(play|cover)-<version>.<ext>. Anything
/// else (.., absolute paths, odd bytes) can never reach the file system.
bool IsMediaName(std::string_view path) {
  const auto take = [&](std::string_view prefix) {
    if (path.substr(0, prefix.size()) != prefix) return false;
    path.remove_prefix(prefix.size());
    return true;
  };
  const auto take_while = [&](auto accept, std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (n < path.size() && accept(path[n])) ++n;
    if (n < min || n > max) return false;
    path.remove_prefix(n);
    return true;
  };
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto alnum = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); };
  return take("videos/") && take_while(hex, 16, 16) && take("/") && (take("play-") || take("cover-")) &&
         take_while(digit, 1, 6) && take(".") && take_while(alnum, 2, 4) && path.empty();
}

}  // namespace

Status ValidateTitle(std::string_view title) {
  return ValidateText(title, {.what = "title", .max_characters = 100, .allow_newlines = false});
}

VideoServiceSqlite::VideoServiceSqlite(VideoStore& store, PublishSettings settings,
                                       std::function<void()> on_job_queued)
    : store_(store), settings_(std::move(settings)), on_job_queued_(std::move(on_job_queued)) {}

Result<VideoRecord> VideoServiceSqlite::Publish(const PublishRequest& request) {
  MINITOK_RETURN_IF_ERROR(ValidateTitle(request.title));
  MINITOK_ASSIGN_OR_RETURN(const std::string demuxer, media::SniffVideoContainer(request.upload_path));
  MINITOK_ASSIGN_OR_RETURN(const auto info, media::ProbeVideo(settings_.tools, request.upload_path, demuxer));
  if (info.width > settings_.max_dimension || info.height > settings_.max_dimension) {
    return MakeError(Code::kInvalidArgument, "the video is " + std::to_string(info.width) + "x" +
                                                 std::to_string(info.height) + "; at most " +
                                                 std::to_string(settings_.max_dimension) + " pixels a side are accepted");
  }
  if (info.duration_seconds > settings_.max_seconds) {
    return MakeError(Code::kInvalidArgument, "the video is too long: at most " +
                                                 std::to_string(static_cast<int>(settings_.max_seconds)) +
                                                 " seconds are accepted");
  }
  const auto container = media::ContainerTypeOf(info);

  // The folder is staged before any file is written: a crash before the row commits leaves a
  // record that the next start uses to remove it.
  const std::string key = security::RandomHex(8);
  MINITOK_RETURN_IF_ERROR(store_.StageFolder(key));
  const std::string relative_dir = "videos/" + key;
  const fs::path dir = fs::path(settings_.media_dir) / relative_dir;
  FolderGuard guard(store_, dir, key);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("create media folder: " + ec.message());
  const std::string original_name = "play-1." + container.extension;
  const std::string cover_name = "cover-1.jpg";
  fs::rename(request.upload_path, dir / original_name, ec);
  if (ec) return InternalError("move upload: " + ec.message());
  MINITOK_RETURN_IF_ERROR(media::ExtractCover(settings_.tools, (dir / original_name).string(), demuxer, info.duration_seconds,
                                              (dir / cover_name).string()));
  MINITOK_RETURN_IF_ERROR(media::SyncFile(dir / original_name));
  MINITOK_RETURN_IF_ERROR(media::SyncFile(dir / cover_name));
  MINITOK_RETURN_IF_ERROR(media::SyncDirectory(dir));
  MINITOK_RETURN_IF_ERROR(media::SyncDirectory(dir.parent_path()));

  MINITOK_ASSIGN_OR_RETURN(
      auto video, store_.InsertProcessing({.author_id = request.author_id,
                                           .title = request.title,
                                           .media_key = key,
                                           .original_path = relative_dir + "/" + original_name,
                                           .original_type = container.mime,
                                           .cover_path = relative_dir + "/" + cover_name,
                                           .width = info.width,
                                           .height = info.height,
                                           .duration_ms = static_cast<std::int64_t>(info.duration_seconds * 1000),
                                           .has_audio = info.has_audio}));
  guard.Commit();
  if (on_job_queued_) on_job_queued_();
  return video;
}

Result<FeedPage> VideoServiceSqlite::Feed(std::int64_t before_ms, int limit) { return store_.Feed(before_ms, limit); }

Result<std::vector<VideoRecord>> VideoServiceSqlite::ListByAuthor(std::int64_t author_id, bool include_unready,
                                                                  Page page) {
  return store_.ListByAuthor(author_id, include_unready, page);
}

Result<std::vector<VideoRecord>> VideoServiceSqlite::GetVideos(std::span<const std::int64_t> ids) {
  return store_.GetVideos(ids);
}

Result<std::vector<WorkCount>> VideoServiceSqlite::GetWorkCounts(std::span<const std::int64_t> user_ids) {
  return store_.GetWorkCounts(user_ids);
}

Result<MediaFile> VideoServiceSqlite::FindMedia(std::string_view relative_path) {
  const Error not_found = MakeError(Code::kNotFound, "no such media file");
  if (!IsMediaName(relative_path)) return not_found;
  const std::string path(relative_path);
  MINITOK_ASSIGN_OR_RETURN(auto type, store_.MediaType(path));
  if (type.empty()) return not_found;
  return MediaFile{(fs::path(settings_.media_dir) / path).string(), std::move(type)};
}

}  // namespace minitok::video
