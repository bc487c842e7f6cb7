#include "services/video/video_store.h"

#include <algorithm>
#include <limits>

#include "embedded/video_migrations.h"

namespace minitok::video {
namespace {

#define MINITOK_VIDEO_COLUMNS "id, author_id, title, play_path, cover_path, state, state_reason, created_ms, ready_ms"

constexpr std::string_view kFeed = "SELECT " MINITOK_VIDEO_COLUMNS
                                   " FROM videos WHERE state = 1 AND ready_ms < ? ORDER BY ready_ms DESC LIMIT ?";
constexpr std::string_view kByAuthorAll =
    "SELECT " MINITOK_VIDEO_COLUMNS " FROM videos WHERE author_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kByAuthorReady = "SELECT " MINITOK_VIDEO_COLUMNS
                                            " FROM videos WHERE author_id = ? AND state = 1 "
                                            "ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kByIds =
    "SELECT " MINITOK_VIDEO_COLUMNS " FROM videos WHERE id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kWorkCounts =
    "SELECT user_id, work_count FROM author_stats WHERE user_id IN (SELECT value FROM json_each(?))";
constexpr std::string_view kMostWorks =
    "SELECT user_id, work_count FROM author_stats ORDER BY work_count DESC LIMIT ?";
constexpr std::string_view kNewestRecords = "SELECT " MINITOK_VIDEO_COLUMNS " FROM videos ORDER BY id DESC LIMIT ?";
constexpr std::string_view kPlayType = "SELECT play_type FROM videos WHERE play_path = ?";
constexpr std::string_view kIsCover = "SELECT 1 FROM videos WHERE cover_path = ?";

constexpr std::string_view kStage = "INSERT OR REPLACE INTO staged_folders (media_key, created_ms) VALUES (?, ?)";
constexpr std::string_view kUnstage = "DELETE FROM staged_folders WHERE media_key = ?";
constexpr std::string_view kStaged = "SELECT media_key FROM staged_folders";
constexpr std::string_view kInsertVideo =
    "INSERT INTO videos (author_id, title, play_path, play_type, cover_path, state, state_reason, created_ms, "
    "media_key, original_path, width, height, duration_ms, has_audio) "
    "VALUES (?, ?, ?, ?, ?, 0, 'waiting to be processed', ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kInsertJob = "INSERT INTO jobs (video_id, next_attempt_ms) VALUES (?, ?)";

constexpr std::string_view kDueJob =
    "SELECT j.video_id, j.attempts, v.media_key, v.original_path, v.duration_ms, v.has_audio "
    "FROM jobs j JOIN videos v ON v.id = j.video_id "
    "WHERE j.running = 0 AND j.next_attempt_ms <= ? ORDER BY j.next_attempt_ms LIMIT 1";
constexpr std::string_view kMarkRunning = "UPDATE jobs SET running = 1 WHERE video_id = ?";
constexpr std::string_view kNextDue = "SELECT MIN(next_attempt_ms) FROM jobs WHERE running = 0";
constexpr std::string_view kLastReadyTime = "SELECT COALESCE(MAX(ready_ms), 0) FROM videos WHERE state = 1";
constexpr std::string_view kOriginalOf = "SELECT author_id, original_path FROM videos WHERE id = ?";
constexpr std::string_view kSetReady =
    "UPDATE videos SET state = 1, state_reason = '', play_path = ?, play_type = 'video/mp4', ready_ms = ?, "
    "original_path = ? WHERE id = ?";
constexpr std::string_view kCountWork =
    "INSERT INTO author_stats (user_id, work_count) VALUES (?, 1) "
    "ON CONFLICT (user_id) DO UPDATE SET work_count = work_count + 1";
// A job's end is decided by its row: a second "ready" or "failed" for it (a worker that was
// thought gone and another both finished it) finds no row and changes nothing.
constexpr std::string_view kDeleteJob = "DELETE FROM jobs WHERE video_id = ? RETURNING video_id";
constexpr std::string_view kAddTrash = "INSERT OR IGNORE INTO trash (path) VALUES (?)";
constexpr std::string_view kTrash = "SELECT path FROM trash";
constexpr std::string_view kForgetTrash = "DELETE FROM trash WHERE path = ?";
constexpr std::string_view kRetry =
    "UPDATE jobs SET running = 0, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE video_id = ? "
    "RETURNING video_id";
constexpr std::string_view kReleaseJob = "UPDATE jobs SET running = 0 WHERE video_id = ? AND running = 1";
constexpr std::string_view kSetReason = "UPDATE videos SET state_reason = ? WHERE id = ? RETURNING author_id";
constexpr std::string_view kSetFailed =
    "UPDATE videos SET state = 2, state_reason = ? WHERE id = ? RETURNING author_id";
constexpr std::string_view kResetRunning = "UPDATE jobs SET running = 0 WHERE running = 1";
constexpr std::string_view kJobFolders =
    "SELECT v.media_key FROM jobs j JOIN videos v ON v.id = j.video_id WHERE v.media_key != ''";

// The caches. The feed's newest videos are one entry: the first pages of the feed are read by
// everyone, and only a video becoming ready changes them.
constexpr std::int64_t kFeedHeadKey = 0;
constexpr std::int64_t kFeedHeadSize = 300;
constexpr std::int64_t kNewestKeptPerAuthor = 100;
constexpr std::size_t kCachedRecords = 200'000;
constexpr std::size_t kCachedCounters = 200'000;

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

Result<std::vector<std::string>> ReadTexts(sql::Statement& s) {
  std::vector<std::string> texts;
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return texts;
    texts.push_back(s.ColumnText(0));
  }
}

/// Runs a change of one row that answers an id (RETURNING author_id, video_id); 0 when no row matched.
Result<std::int64_t> ChangeOneRow(sql::Statement& update) {
  MINITOK_ASSIGN_OR_RETURN(const bool row, update.Step());
  if (!row) return std::int64_t{0};
  const std::int64_t author = update.ColumnInt(0);
  MINITOK_ASSIGN_OR_RETURN(const bool more, update.Step());
  (void)more;  // stepping to the end completes the statement
  return author;
}

/// Runs one statement binding `text` as its only parameter, in its own write transaction.
Status WriteOne(sql::Database& db, std::string_view statement, const std::string& text) {
  return db.Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto s, c.Prepare(statement));
    return s.Bind(1, std::string_view(text)).Run();
  });
}

Result<std::vector<std::string>> ReadAllTexts(sql::Database& db, std::string_view statement) {
  return db.Read([&](sql::Connection& c) -> Result<std::vector<std::string>> {
    MINITOK_ASSIGN_OR_RETURN(auto s, c.Prepare(statement));
    return ReadTexts(s);
  });
}

}  // namespace

std::span<const EmbeddedFile> Migrations() { return video_migrations::Files(); }

VideoStore::VideoStore(std::unique_ptr<sql::Database> db, const Clock& clock, cache::DataVersion* public_changes)
    : db_(std::move(db)),
      clock_(clock),
      public_changes_(public_changes),
      records_(kCachedRecords),
      work_counts_(kCachedCounters),
      newest_(kCachedRecords) {}

void VideoStore::Changed(std::int64_t video_id, std::int64_t author_id, Audience audience) {
  records_.Invalidate(video_id);
  newest_.Invalidate(author_id);
  if (audience == Audience::kAuthor) return;
  newest_.Invalidate(kFeedHeadKey);
  work_counts_.Invalidate(author_id);
  cache::PublicDataChanged(public_changes_);  // last: see DataVersion
}

Result<std::int64_t> VideoStore::ChangeVideo(std::int64_t video_id, Audience audience,
                                             const std::function<Result<std::int64_t>(sql::Connection&)>& write) {
  auto author = db_->Write(write);
  if (author.ok()) Changed(video_id, *author, audience);
  return author;
}

Result<VideoStore::VideoList> VideoStore::Newest(std::int64_t key, const std::function<Result<std::vector<VideoRecord>>()>& read) {
  if (auto cached = newest_.Get(key)) return std::move(*cached);
  const auto ticket = newest_.TicketFor(key);
  MINITOK_ASSIGN_OR_RETURN(auto videos, read());
  auto list = std::make_shared<const std::vector<VideoRecord>>(std::move(videos));
  newest_.Fill(key, list, ticket, list->size() + 1);
  return list;
}

Result<FeedPage> VideoStore::Feed(std::int64_t before_ms, int limit) {
  MINITOK_ASSIGN_OR_RETURN(const VideoList head, Newest(kFeedHeadKey, [&] {
    return ReadFeed(std::numeric_limits<std::int64_t>::max(), kFeedHeadSize);
  }));
  const auto begin = std::find_if(head->begin(), head->end(), [&](const VideoRecord& v) { return v.ready_ms < before_ms; });
  const bool holds_all = static_cast<std::int64_t>(head->size()) < kFeedHeadSize;
  FeedPage page;
  if (holds_all || head->end() - begin >= limit) {
    page.videos.assign(begin, begin + std::min<std::ptrdiff_t>(head->end() - begin, limit));
  } else {
    MINITOK_ASSIGN_OR_RETURN(page.videos, ReadFeed(before_ms, limit));
  }
  page.next_time_ms = page.videos.empty() ? before_ms : page.videos.back().ready_ms;
  return page;
}

Result<std::vector<VideoRecord>> VideoStore::ReadFeed(std::int64_t before_ms, std::int64_t limit) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<VideoRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kFeed));
    select.Bind(1, before_ms).Bind(2, limit);
    return ReadVideos(select);
  });
}

Result<std::vector<VideoRecord>> VideoStore::ListByAuthor(std::int64_t author_id, bool include_unready, Page page) {
  MINITOK_ASSIGN_OR_RETURN(const VideoList newest, Newest(author_id, [&] {
    return ReadByAuthor(author_id, true, {.offset = 0, .limit = kNewestKeptPerAuthor});
  }));
  const bool holds_all = static_cast<std::int64_t>(newest->size()) < kNewestKeptPerAuthor;
  std::vector<VideoRecord> videos;
  std::int64_t skipped = 0;
  for (const auto& v : *newest) {
    if (!include_unready && v.state != VideoState::kReady) continue;
    if (skipped++ < page.offset) continue;
    if (static_cast<std::int64_t>(videos.size()) == page.limit) break;
    videos.push_back(v);
  }
  if (holds_all || static_cast<std::int64_t>(videos.size()) == page.limit) return videos;
  return ReadByAuthor(author_id, include_unready, page);
}

Result<std::vector<VideoRecord>> VideoStore::ReadByAuthor(std::int64_t author_id, bool include_unready, Page page) {
  return db_->Read([&](sql::Connection& c) -> Result<std::vector<VideoRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(include_unready ? kByAuthorAll : kByAuthorReady));
    select.Bind(1, author_id).Bind(2, page.limit).Bind(3, page.offset);
    return ReadVideos(select);
  });
}

Result<std::vector<VideoRecord>> VideoStore::GetVideos(std::span<const std::int64_t> ids) {
  MINITOK_ASSIGN_OR_RETURN(auto found,
                           cache::GetMany(records_, ids, [this](auto missing) { return ReadRecords(missing); }));
  return cache::Present(std::move(found));
}

Result<std::vector<std::optional<VideoRecord>>> VideoStore::ReadRecords(std::span<const std::int64_t> ids) {
  const std::string batch = sql::IdArray(ids);
  MINITOK_ASSIGN_OR_RETURN(auto rows, db_->Read([&](sql::Connection& c) -> Result<std::vector<VideoRecord>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kByIds));
    select.Bind(1, std::string_view(batch));
    return ReadVideos(select);
  }));
  return cache::AlignToIds(ids, std::move(rows), [](const VideoRecord& v) { return v.id; });
}

Result<std::size_t> VideoStore::WarmCaches() {
  MINITOK_ASSIGN_OR_RETURN(const std::size_t authors, cache::Warm(work_counts_, [this](std::int64_t limit) {
                             return sql::ReadIntPairs(*db_, kMostWorks, limit);
                           }));
  MINITOK_ASSIGN_OR_RETURN(const std::size_t videos, cache::Warm(records_, [this](std::int64_t limit) {
    return db_->Read([&](sql::Connection& c) -> Result<std::vector<std::pair<std::int64_t, VideoRecord>>> {
      MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(kNewestRecords));
      select.Bind(1, limit);
      MINITOK_ASSIGN_OR_RETURN(auto records, ReadVideos(select));
      std::vector<std::pair<std::int64_t, VideoRecord>> rows;
      rows.reserve(records.size());
      for (auto& v : records) rows.emplace_back(v.id, std::move(v));
      return rows;
    });
  }));
  return authors + videos;
}

Result<std::vector<WorkCount>> VideoStore::GetWorkCounts(std::span<const std::int64_t> user_ids) {
  MINITOK_ASSIGN_OR_RETURN(
      const auto found,
      cache::GetMany(work_counts_, user_ids, [this](auto missing) { return sql::ReadCounts(*db_, kWorkCounts, missing); }));
  std::vector<WorkCount> counts;
  counts.reserve(user_ids.size());
  for (std::size_t i = 0; i < user_ids.size(); ++i) counts.push_back({user_ids[i], found[i].value_or(0)});
  return counts;
}

Result<std::string> VideoStore::MediaType(const std::string& path) {
  return db_->Read([&](sql::Connection& c) -> Result<std::string> {
    MINITOK_ASSIGN_OR_RETURN(auto play, c.Prepare(kPlayType));
    play.Bind(1, std::string_view(path));
    MINITOK_ASSIGN_OR_RETURN(const bool is_play, play.Step());
    if (is_play) return play.ColumnText(0);
    MINITOK_ASSIGN_OR_RETURN(auto cover, c.Prepare(kIsCover));
    cover.Bind(1, std::string_view(path));
    MINITOK_ASSIGN_OR_RETURN(const bool is_cover, cover.Step());
    return std::string(is_cover ? "image/jpeg" : "");
  });
}

Status VideoStore::StageFolder(const std::string& media_key) {
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto stage, c.Prepare(kStage));
    return stage.Bind(1, std::string_view(media_key)).Bind(2, clock_.NowMs()).Run();
  });
}

Result<VideoRecord> VideoStore::InsertProcessing(const NewVideo& v) {
  auto inserted = db_->Write([&](sql::Connection& c) -> Result<VideoRecord> {
    const std::int64_t now = clock_.NowMs();
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(kInsertVideo));
    insert.Bind(1, v.author_id)
        .Bind(2, std::string_view(v.title))
        .Bind(3, std::string_view(v.original_path))
        .Bind(4, std::string_view(v.original_type))
        .Bind(5, std::string_view(v.cover_path))
        .Bind(6, now)
        .Bind(7, std::string_view(v.media_key))
        .Bind(8, std::string_view(v.original_path))
        .Bind(9, static_cast<std::int64_t>(v.width))
        .Bind(10, static_cast<std::int64_t>(v.height))
        .Bind(11, v.duration_ms)
        .Bind(12, static_cast<std::int64_t>(v.has_audio ? 1 : 0));
    MINITOK_RETURN_IF_ERROR(insert.Run());
    VideoRecord record;
    record.id = c.LastInsertRowId();
    record.author_id = v.author_id;
    record.title = v.title;
    record.play_path = v.original_path;
    record.cover_path = v.cover_path;
    record.state = VideoState::kProcessing;
    record.state_reason = "waiting to be processed";
    record.created_ms = now;
    MINITOK_ASSIGN_OR_RETURN(auto job, c.Prepare(kInsertJob));
    MINITOK_RETURN_IF_ERROR(job.Bind(1, record.id).Bind(2, now).Run());
    MINITOK_ASSIGN_OR_RETURN(auto unstage, c.Prepare(kUnstage));
    MINITOK_RETURN_IF_ERROR(unstage.Bind(1, std::string_view(v.media_key)).Run());
    return record;
  });
  if (inserted.ok()) Changed(inserted->id, v.author_id, Audience::kAuthor);
  return inserted;
}

Result<std::optional<Job>> VideoStore::ClaimDueJob() {
  return db_->Write([&](sql::Connection& c) -> Result<std::optional<Job>> {
    MINITOK_ASSIGN_OR_RETURN(auto due, c.Prepare(kDueJob));
    due.Bind(1, clock_.NowMs());
    MINITOK_ASSIGN_OR_RETURN(const bool found, due.Step());
    if (!found) return std::optional<Job>();
    Job job{due.ColumnInt(0), due.ColumnInt(1), due.ColumnText(2), due.ColumnText(3), due.ColumnInt(4),
            due.ColumnInt(5) != 0};
    MINITOK_ASSIGN_OR_RETURN(auto running, c.Prepare(kMarkRunning));
    MINITOK_RETURN_IF_ERROR(running.Bind(1, job.video_id).Run());
    return std::optional<Job>(std::move(job));
  });
}

Result<std::optional<std::int64_t>> VideoStore::NextDueTime() {
  return db_->Read([&](sql::Connection& c) -> Result<std::optional<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto next, c.Prepare(kNextDue));
    MINITOK_ASSIGN_OR_RETURN(const bool row, next.Step());
    if (!row || next.ColumnIsNull(0)) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(next.ColumnInt(0));
  });
}

Status VideoStore::MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) {
  return ChangeVideo(video_id, Audience::kEveryone, [&](sql::Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto original, c.Prepare(kOriginalOf));
    original.Bind(1, video_id);
    MINITOK_ASSIGN_OR_RETURN(const bool exists, original.Step());
    if (!exists) return MakeError(Code::kNotFound, "video vanished");
    const std::int64_t author_id = original.ColumnInt(0);
    const std::string original_path = original.ColumnText(1);
    MINITOK_ASSIGN_OR_RETURN(auto done, c.Prepare(kDeleteJob));
    done.Bind(1, video_id);
    MINITOK_ASSIGN_OR_RETURN(const std::int64_t had_job, ChangeOneRow(done));
    if (had_job == 0) return author_id;  // made ready (or failed) already
    MINITOK_ASSIGN_OR_RETURN(auto last, c.Prepare(kLastReadyTime));
    MINITOK_ASSIGN_OR_RETURN(const bool has_last, last.Step());
    // Feed times are unique so that paging with a strict "<" never skips a video; the feed is
    // ordered by when a video became visible, not when its upload started.
    const std::int64_t ready_ms = std::max(clock_.NowMs(), (has_last ? last.ColumnInt(0) : 0) + 1);
    const bool drop = !keep_original && !original_path.empty() && original_path != play_path;
    MINITOK_ASSIGN_OR_RETURN(auto ready, c.Prepare(kSetReady));
    MINITOK_RETURN_IF_ERROR(ready.Bind(1, std::string_view(play_path))
                                .Bind(2, ready_ms)
                                .Bind(3, std::string_view(drop ? std::string() : original_path))
                                .Bind(4, video_id)
                                .Run());
    MINITOK_ASSIGN_OR_RETURN(auto count, c.Prepare(kCountWork));
    MINITOK_RETURN_IF_ERROR(count.Bind(1, author_id).Run());
    if (drop) {
      MINITOK_ASSIGN_OR_RETURN(auto trash, c.Prepare(kAddTrash));
      MINITOK_RETURN_IF_ERROR(trash.Bind(1, std::string_view(original_path)).Run());
    }
    return author_id;
  }).status();
}

Status VideoStore::RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                              const std::string& reason) {
  const std::string shown = "waiting to retry: " + reason;
  return ChangeVideo(video_id, Audience::kAuthor, [&](sql::Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto retry, c.Prepare(kRetry));
    retry.Bind(1, attempts).Bind(2, due_ms).Bind(3, std::string_view(reason)).Bind(4, video_id);
    MINITOK_ASSIGN_OR_RETURN(const std::int64_t had_job, ChangeOneRow(retry));
    if (had_job == 0) return MakeError(Code::kNotFound, "the job ended already");
    MINITOK_ASSIGN_OR_RETURN(auto state, c.Prepare(kSetReason));
    state.Bind(1, std::string_view(shown)).Bind(2, video_id);
    return ChangeOneRow(state);
  }).status();
}

Status VideoStore::MarkFailed(std::int64_t video_id, const std::string& reason) {
  return ChangeVideo(video_id, Audience::kAuthor, [&](sql::Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto done, c.Prepare(kDeleteJob));
    done.Bind(1, video_id);
    MINITOK_ASSIGN_OR_RETURN(const std::int64_t had_job, ChangeOneRow(done));
    if (had_job == 0) return MakeError(Code::kNotFound, "the job ended already");
    MINITOK_ASSIGN_OR_RETURN(auto failed, c.Prepare(kSetFailed));
    failed.Bind(1, std::string_view(reason)).Bind(2, video_id);
    return ChangeOneRow(failed);
  }).status();
}

Status VideoStore::SetStateReason(std::int64_t video_id, const std::string& reason) {
  return ChangeVideo(video_id, Audience::kAuthor, [&](sql::Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto state, c.Prepare(kSetReason));
    state.Bind(1, std::string_view(reason)).Bind(2, video_id);
    return ChangeOneRow(state);
  }).status();
}

Result<std::vector<std::string>> VideoStore::StagedFolders() { return ReadAllTexts(*db_, kStaged); }

Status VideoStore::Unstage(const std::string& media_key) { return WriteOne(*db_, kUnstage, media_key); }

Result<std::vector<std::string>> VideoStore::Trash() { return ReadAllTexts(*db_, kTrash); }

Status VideoStore::ForgetTrash(const std::string& path) { return WriteOne(*db_, kForgetTrash, path); }

Status VideoStore::ResetRunningJobs() {
  return db_->Write([&](sql::Connection& c) -> Status { return c.Execute(std::string(kResetRunning)); });
}

Result<std::vector<std::string>> VideoStore::FoldersWithJobs() { return ReadAllTexts(*db_, kJobFolders); }

Status VideoStore::ReleaseJob(std::int64_t video_id) {
  return db_->Write([&](sql::Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto release, c.Prepare(kReleaseJob));
    return release.Bind(1, video_id).Run();
  });
}

}  // namespace minitok::video
