#pragma once
// Typed configuration of `minitok serve`: defaults, then the JSON config file, then flags.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/core/result.h"

namespace minitok::config {

/// A token bucket: `burst` requests at once, then one more every `refill_every_ms`. A burst of 0
/// turns the limit off.
struct RateLimit {
  std::int64_t burst = 0;
  std::int64_t refill_every_ms = 0;
};

/// Limits by name: register, login, login_failures, publish, comment, message, like, follow,
/// reads (README, "Rate limits").
using RateLimits = std::map<std::string, RateLimit, std::less<>>;
RateLimits DefaultRateLimits();

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  /// Base of absolute media URLs; empty means "http://" + the request's Host header.
  std::string public_url;
  /// IANA zone used for comment create_date (MM-DD).
  std::string time_zone = "UTC";

  /// What an acknowledged write survives: "crash" (a crash of the process; a power cut may lose
  /// the last fraction of a second) or "power-loss" (an fsync per grouped commit).
  std::string durability = "crash";

  std::int64_t token_ttl_seconds = 30LL * 24 * 3600;
  /// Overrides the secret kept in <data_dir>/jwt-secret (so does $MINITOK_JWT_SECRET, or the
  /// first line of `jwt_secret_file`): every gateway of a cluster must sign with the same one.
  std::string jwt_secret;
  std::string jwt_secret_file;

  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t max_upload_bytes = 200LL << 20;
  std::int64_t max_header_bytes = 16 << 10;
  std::int64_t max_connections = 10000;
  std::int64_t header_timeout_ms = 10000;
  std::int64_t body_timeout_ms = 60000;
  std::int64_t request_deadline_ms = 10000;

  std::int64_t io_threads = 1;
  std::int64_t worker_threads = 4;
  std::int64_t hash_threads = 1;
  std::int64_t hash_queue = 64;
  /// libsodium Argon2id cost; the defaults are libsodium's "interactive" limits.
  std::int64_t password_ops_limit = 2;
  std::int64_t password_mem_limit_kib = 64 * 1024;

  std::int64_t ffmpeg_timeout_ms = 60000;
  /// Anonymous answers kept in memory (0 turns the cache off).
  std::int64_t cache_entries = 10000;
  bool demo_content = true;

  /// Uploads are refused while the data folder's disk has less free space than this.
  std::int64_t min_free_disk_mb = 512;
  std::int64_t max_video_dimension = 4096;
  std::int64_t max_video_seconds = 600;
  std::int64_t media_workers = 1;
  std::string transcode_preset = "veryfast";
  std::int64_t transcode_crf = 23;
  std::int64_t transcode_max_short_side = 720;
  std::int64_t transcode_timeout_ms = 30 * 60 * 1000;
  std::int64_t transcode_max_attempts = 3;
  std::int64_t transcode_retry_ms = 2000;
  /// A job a media worker in another process claimed waits for another worker when that one has
  /// not reported on it for this long (it reports every two seconds while transcoding; at least 3 s).
  std::int64_t media_lease_ms = 30000;
  /// Keep the uploaded original next to the transcoded file.
  bool keep_original = false;

  /// The config file gives only the limits (and fields) it changes.
  RateLimits rate_limits = DefaultRateLimits();
  /// Networks (CIDR) whose X-Forwarded-For entries are believed; empty: only peer addresses count.
  std::vector<std::string> trusted_proxies;
  /// Rate-limit buckets kept in this process at most; idle ones go first.
  std::int64_t rate_limit_max_keys = 1'000'000;
  /// redis://HOST:PORT or unix:///path: rate limits shared by every gateway using it. Empty: none.
  std::string redis;

  /// What this process runs: "all" (every service and the HTTP gateway, in-process), or a
  /// comma-separated list of gateway, user, video, favorite, comment, relation, message, media.
  std::string role = "all";
  /// Where service roles serve gRPC (port 0 picks a free one).
  std::string grpc_listen = "127.0.0.1:0";
  /// Where the services this process does not run are: "user=HOST:PORT,video=HOST:PORT,..."
  /// (a name may repeat, one instance each).
  std::string peers;
  /// etcd endpoints ("http://HOST:PORT,..."): service processes register there and every
  /// process finds the services it calls there (those not in `peers`). Empty: no etcd.
  std::string etcd;
  /// Key prefix in etcd shared by the processes of one cluster.
  std::string cluster = "minitok";
  /// The least severe log lines written: "info" (every line, access lines included), "warn" or "error".
  std::string log_level = "info";
};

/// The keys that may change while a process serves (from etcd's `<cluster>/config/<role>`).
inline constexpr std::string_view kLiveKeys[] = {"log_level", "rate_limits", "cache_entries"};

/// Reads a JSON object of the keys above into `config`; unknown keys and wrong types are errors.
Status MergeJsonFile(const std::string& path, ServerConfig& config);
/// Same, from text (used by tests and by MergeJsonFile).
Status MergeJsonText(std::string_view text, ServerConfig& config);
/// Same, for a value that arrives while serving: only the kLiveKeys.
Status MergeLiveJsonText(std::string_view text, ServerConfig& config);
/// Range checks across fields.
Status Validate(const ServerConfig& config);

}  // namespace minitok::config
