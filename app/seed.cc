#include "app/seed.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <vector>

#include "app/data_folder.h"
#include "app/roles.h"
#include "libs/core/clock.h"
#include "libs/media/files.h"
#include "libs/media/probe.h"
#include "libs/media/process.h"
#include "libs/security/password_hasher.h"
#include "libs/security/token_codec.h"
#include "services/comment/comment_bulk.h"
#include "services/comment/comment_service_sqlite.h"
#include "services/favorite/favorite_bulk.h"
#include "services/favorite/favorite_service_sqlite.h"
#include "services/message/message_bulk.h"
#include "services/message/message_service_sqlite.h"
#include "services/relation/relation_bulk.h"
#include "services/relation/relation_service_sqlite.h"
#include "services/user/user_bulk.h"
#include "services/user/user_service_sqlite.h"
#include "services/video/video_bulk.h"
#include "services/video/video_store.h"

namespace minitok::app {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kChunk = 200000;  // rows generated and inserted at a time

struct Databases {
  std::unique_ptr<sql::Database> user, video, favorite, comment, relation, message;
};

Result<Databases> OpenAll(const DataLayout& layout) {
  // Bulk inserts, recounts and audits scan whole tables: no per-statement time limit.
  const sql::DatabaseOptions offline{.readers = 1, .statement_timeout = std::chrono::hours(24)};
  Databases dbs;
  MINITOK_ASSIGN_OR_RETURN(dbs.user, OpenDatabase(layout, "user", user::Migrations(), offline));
  MINITOK_ASSIGN_OR_RETURN(dbs.video, OpenDatabase(layout, "video", video::Migrations(), offline));
  MINITOK_ASSIGN_OR_RETURN(dbs.favorite, OpenDatabase(layout, "favorite", favorite::Migrations(), offline));
  MINITOK_ASSIGN_OR_RETURN(dbs.comment, OpenDatabase(layout, "comment", comment::Migrations(), offline));
  MINITOK_ASSIGN_OR_RETURN(dbs.relation, OpenDatabase(layout, "relation", relation::Migrations(), offline));
  MINITOK_ASSIGN_OR_RETURN(dbs.message, OpenDatabase(layout, "message", message::Migrations(), offline));
  return dbs;
}

/// Popularity skew: ids near 1 are drawn far more often (a power law on [1, n]).
class Skewed {
 public:
  Skewed(std::mt19937_64& rng, std::int64_t n, double exponent) : rng_(rng), n_(n), exponent_(exponent) {}
  std::int64_t operator()() {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    return 1 + std::min<std::int64_t>(n_ - 1, static_cast<std::int64_t>(static_cast<double>(n_) * std::pow(u, exponent_)));
  }

 private:
  std::mt19937_64& rng_;
  std::int64_t n_;
  double exponent_;
};

/// Picks `count` distinct values from `draw` (fewer if the draw keeps repeating).
std::vector<std::int64_t> Distinct(std::int64_t count, Skewed& draw, std::int64_t exclude) {
  std::set<std::int64_t> picked;
  for (std::int64_t attempts = 0; static_cast<std::int64_t>(picked.size()) < count && attempts < count * 20; ++attempts) {
    const std::int64_t value = draw();
    if (value != exclude) picked.insert(value);
  }
  return {picked.begin(), picked.end()};
}

/// Rows per owner, spread evenly: owner i (0-based) gets total / owners, the first total % owners one more.
std::int64_t ShareOf(std::int64_t total, std::int64_t owners, std::int64_t i) {
  return total / owners + (i < total % owners ? 1 : 0);
}

Status MakeSharedMedia(const media::MediaTools& tools, const DataLayout& layout, std::string& play_path,
                       std::string& cover_path) {
  const std::string key = security::RandomHex(8);
  const fs::path dir = layout.media / "videos" / key;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("create " + dir.string());
  MINITOK_ASSIGN_OR_RETURN(
      const auto run,
      media::RunProcess({tools.ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                         "testsrc2=size=540x960:rate=30", "-f", "lavfi", "-i", "sine=frequency=523", "-t", "4",
                         "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p", "-c:a", "aac",
                         "-movflags", "+faststart", "-shortest", (dir / "play-2.mp4").string()},
                        {.timeout = tools.timeout}));
  if (run.exit_code != 0) return InternalError("ffmpeg: " + run.stderr_text.substr(0, 300));
  MINITOK_RETURN_IF_ERROR(
      media::ExtractCover(tools, (dir / "play-2.mp4").string(), "mov", 4, (dir / "cover-1.jpg").string()));
  play_path = "videos/" + key + "/play-2.mp4";
  cover_path = "videos/" + key + "/cover-1.jpg";
  return Ok();
}

class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

Status SeedOrError(const config::ServerConfig& config, const SeedOptions& options) {
  if (options.users < 2 || options.videos < 1) {
    return MakeError(Code::kInvalidArgument, "seed needs at least 2 users and 1 video");
  }
  MINITOK_ASSIGN_OR_RETURN(const auto folder_lock, DatabaseLocks::Take(config.data_dir, kServiceNames, true));
  MINITOK_ASSIGN_OR_RETURN(const auto layout, PrepareDataDir(config.data_dir));
  std::error_code ec;
  if (!fs::is_empty(layout.db, ec) || !fs::is_empty(layout.media, ec)) {
    return MakeError(Code::kInvalidArgument, "seed needs an empty data folder: " + layout.root.string());
  }
  MINITOK_ASSIGN_OR_RETURN(auto dbs, OpenAll(layout));
  MINITOK_ASSIGN_OR_RETURN(const auto tools, media::LocateMediaTools(std::chrono::milliseconds(config.ffmpeg_timeout_ms)));
  const Stopwatch total;
  std::mt19937_64 rng(20261126);  // deterministic data sets
  const std::int64_t base_ms = SystemClock().NowMs() - 30LL * 24 * 3600 * 1000;

  const security::PasswordHasher hasher({.ops_limit = static_cast<std::uint64_t>(config.password_ops_limit),
                                         .mem_limit_bytes = static_cast<std::uint64_t>(config.password_mem_limit_kib) * 1024});
  MINITOK_ASSIGN_OR_RETURN(const std::string hash, hasher.Hash("seed-password"));
  MINITOK_RETURN_IF_ERROR(user::BulkInsertUsers(*dbs.user, options.users, "seed", hash, base_ms));
  std::cout << "users:    " << options.users << " (" << total.Seconds() << " s)" << std::endl;

  std::string play_path, cover_path;
  MINITOK_RETURN_IF_ERROR(MakeSharedMedia(tools, layout, play_path, cover_path));
  Skewed popular_author(rng, options.users, 3.0);
  std::vector<std::int64_t> author_of(static_cast<std::size_t>(options.videos + 1));
  for (auto& author : author_of) author = popular_author();
  MINITOK_RETURN_IF_ERROR(video::BulkInsertVideos(
      *dbs.video, {.count = options.videos,
                   .author_of = [&](std::int64_t id) { return author_of[static_cast<std::size_t>(id)]; },
                   .play_path = play_path,
                   .cover_path = cover_path,
                   .first_ready_ms = base_ms}));
  std::cout << "videos:   " << options.videos << " (" << total.Seconds() << " s)" << std::endl;

  Skewed popular_video(rng, options.videos, 2.0);
  std::vector<favorite::LikeRow> likes;
  for (std::int64_t user = 1; user <= options.users; ++user) {
    const auto videos = Distinct(ShareOf(options.likes, options.users, user - 1), popular_video, 0);
    for (const auto video : videos) {
      likes.push_back({user, video, author_of[static_cast<std::size_t>(video)], base_ms + video});
    }
    if (static_cast<std::int64_t>(likes.size()) >= kChunk || user == options.users) {
      MINITOK_RETURN_IF_ERROR(favorite::BulkInsertLikes(*dbs.favorite, likes));
      likes.clear();
    }
  }
  std::cout << "likes:    " << options.likes << " (" << total.Seconds() << " s)" << std::endl;

  std::vector<comment::CommentRow> comments;
  std::uniform_int_distribution<std::int64_t> any_user(1, options.users);
  for (std::int64_t i = 0; i < options.comments; ++i) {
    comments.push_back({popular_video(), any_user(rng), base_ms + i});
    if (static_cast<std::int64_t>(comments.size()) >= kChunk || i + 1 == options.comments) {
      MINITOK_RETURN_IF_ERROR(comment::BulkInsertComments(*dbs.comment, comments));
      comments.clear();
    }
  }
  std::cout << "comments: " << options.comments << " (" << total.Seconds() << " s)" << std::endl;

  Skewed popular_user(rng, options.users, 2.0);
  std::vector<relation::FollowRow> follows;
  for (std::int64_t follower = 1; follower <= options.users; ++follower) {
    for (const auto followee : Distinct(ShareOf(options.follows, options.users, follower - 1), popular_user, follower)) {
      follows.push_back({follower, followee, base_ms + follower});
    }
    if (static_cast<std::int64_t>(follows.size()) >= kChunk || follower == options.users) {
      MINITOK_RETURN_IF_ERROR(relation::BulkInsertFollows(*dbs.relation, follows));
      follows.clear();
    }
  }
  std::cout << "follows:  " << options.follows << " (" << total.Seconds() << " s)" << std::endl;

  // Conversations among the users the benchmark holds tokens for, so chat reads find history.
  const std::int64_t talkers = std::max<std::int64_t>(2, std::min(options.users, std::max<std::int64_t>(options.tokens, 2)));
  std::uniform_int_distribution<std::int64_t> talker(1, talkers);
  std::vector<message::MessageRow> messages;
  for (std::int64_t i = 0; i < options.messages; ++i) {
    const std::int64_t from = talker(rng);
    const std::int64_t to = from % talkers + 1;  // a neighbour: conversations get long enough to page
    messages.push_back({from, to, base_ms + i});
    if (static_cast<std::int64_t>(messages.size()) >= kChunk || i + 1 == options.messages) {
      MINITOK_RETURN_IF_ERROR(message::BulkInsertMessages(*dbs.message, messages));
      messages.clear();
    }
  }
  std::cout << "messages: " << options.messages << " (" << total.Seconds() << " s)" << std::endl;

  MINITOK_RETURN_IF_ERROR(video::RecountCounters(*dbs.video));
  MINITOK_RETURN_IF_ERROR(favorite::RecountCounters(*dbs.favorite));
  MINITOK_RETURN_IF_ERROR(comment::RecountCounters(*dbs.comment));
  MINITOK_RETURN_IF_ERROR(relation::RecountCounters(*dbs.relation));
  std::cout << "counters recounted (" << total.Seconds() << " s)" << std::endl;

  if (!options.tokens_out.empty()) {
    MINITOK_ASSIGN_OR_RETURN(const std::string secret, LoadSecret(config, layout.secret));
    const SystemClock clock;
    const security::TokenCodec tokens(secret, config.token_ttl_seconds, clock);
    std::ofstream out(options.tokens_out, std::ios::trunc);
    for (std::int64_t id = 1; id <= std::min(options.tokens, options.users); ++id) {
      out << id << '\t' << tokens.Issue(id) << '\n';
    }
    out.flush();
    if (!out) return MakeError(Code::kInvalidArgument, "cannot write " + options.tokens_out);
  }
  return Ok();
}

}  // namespace

int Seed(const config::ServerConfig& config, const SeedOptions& options) {
  const Stopwatch total;
  if (auto seeded = SeedOrError(config, options); !seeded.ok()) {
    std::cerr << "minitok seed: " << seeded.error().message
              << (seeded.error().detail.empty() ? "" : " (" + seeded.error().detail + ")") << std::endl;
    return 1;
  }
  const int audit = Verify(config);
  std::cout << "seeded in " << total.Seconds() << " s" << std::endl;
  return audit;
}

int Verify(const config::ServerConfig& config) {
  // Only a folder that already holds the databases: verify creates and changes nothing.
  auto layout = ExistingDataDir(config.data_dir);
  // A folder without a lock file has never been served by this version: nothing to exclude.
  auto folder_lock = layout.ok() ? DatabaseLocks::Take(config.data_dir, kServiceNames, false)
                                : Result<DatabaseLocks>(layout.error());
  auto dbs = folder_lock.ok() ? OpenAll(*layout) : Result<Databases>(folder_lock.error());
  if (!dbs.ok()) {
    std::cerr << "minitok verify: " << dbs.error().message << std::endl;
    return 1;
  }
  const std::pair<const char*, Result<std::int64_t>> audits[] = {
      {"video work_count", video::CountCounterMismatches(*dbs->video)},
      {"favorite favorite_count/total_favorited", favorite::CountCounterMismatches(*dbs->favorite)},
      {"comment comment_count", comment::CountCounterMismatches(*dbs->comment)},
      {"relation follow_count/follower_count", relation::CountCounterMismatches(*dbs->relation)},
  };
  int exit_code = 0;
  for (const auto& [name, mismatches] : audits) {
    if (!mismatches.ok()) {
      std::cerr << "minitok verify: " << name << ": " << mismatches.error().detail << std::endl;
      exit_code = 1;
      continue;
    }
    std::cout << "counters " << name << ": " << (*mismatches == 0 ? "exact" : "MISMATCHED") << " ("
              << *mismatches << " wrong)" << std::endl;
    if (*mismatches != 0) exit_code = 1;
  }
  return exit_code;
}

}  // namespace minitok::app
