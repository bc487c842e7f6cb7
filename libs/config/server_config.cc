#include "libs/config/server_config.h"

#include "libs/log/logger.h"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace minitok::config {
namespace {

using Setter = std::function<Status(const boost::json::value&, ServerConfig&)>;

Error BadType(std::string_view key, std::string_view expected) {
  return MakeError(Code::kInvalidArgument,
                   "config key \"" + std::string(key) + "\" must be " + std::string(expected));
}

Setter StringField(std::string ServerConfig::*field, std::string key) {
  return [field, key](const boost::json::value& v, ServerConfig& c) -> Status {
    if (!v.is_string()) return BadType(key, "a string");
    c.*field = std::string(v.as_string());
    return Ok();
  };
}

Setter IntField(std::int64_t ServerConfig::*field, std::string key) {
  return [field, key](const boost::json::value& v, ServerConfig& c) -> Status {
    if (!v.is_int64() && !v.is_uint64()) return BadType(key, "an integer");
    if (v.is_uint64() && v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
      return BadType(key, "an integer in range");
    }
    c.*field = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
    return Ok();
  };
}

Setter BoolField(bool ServerConfig::*field, std::string key) {
  return [field, key](const boost::json::value& v, ServerConfig& c) -> Status {
    if (!v.is_bool()) return BadType(key, "true or false");
    c.*field = v.as_bool();
    return Ok();
  };
}

Status MergeRateLimits(const boost::json::value& v, ServerConfig& c) {
  if (!v.is_object()) return BadType("rate_limits", "an object of limits by name");
  for (const auto& [name, limit] : v.as_object()) {
    const std::string key = "rate_limits." + std::string(name);
    const auto existing = c.rate_limits.find(std::string_view(name));
    if (existing == c.rate_limits.end()) {
      return MakeError(Code::kInvalidArgument, "unknown rate limit \"" + std::string(name) +
                                                   "\" (known: register, login, login_failures, publish, "
                                                   "comment, message, like, follow, reads)");
    }
    if (!limit.is_object()) return BadType(key, "an object such as {\"burst\": 60, \"refill_every_ms\": 1000}");
    for (const auto& [field, value] : limit.as_object()) {
      std::int64_t* target = field == "burst"             ? &existing->second.burst
                             : field == "refill_every_ms" ? &existing->second.refill_every_ms
                                                          : nullptr;
      if (target == nullptr) {
        return MakeError(Code::kInvalidArgument, "unknown key \"" + std::string(field) + "\" in " + key +
                                                     " (burst, refill_every_ms)");
      }
      if (!value.is_int64() || value.as_int64() < 0) return BadType(key + "." + std::string(field), "an integer >= 0");
      *target = value.as_int64();
    }
  }
  return Ok();
}

Status MergeStringList(const boost::json::value& v, std::vector<std::string>& out, std::string_view key) {
  if (!v.is_array()) return BadType(key, "an array of strings");
  out.clear();
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return BadType(key, "an array of strings");
    out.emplace_back(item.as_string());
  }
  return Ok();
}

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const std::map<std::string, Setter, std::less<>> kSetters = {
      {"listen", StringField(&ServerConfig::listen, "listen")},
      {"data_dir", StringField(&ServerConfig::data_dir, "data_dir")},
      {"public_url", StringField(&ServerConfig::public_url, "public_url")},
      {"time_zone", StringField(&ServerConfig::time_zone, "time_zone")},
      {"token_ttl_seconds", IntField(&ServerConfig::token_ttl_seconds, "token_ttl_seconds")},
      {"jwt_secret", StringField(&ServerConfig::jwt_secret, "jwt_secret")},
      {"jwt_secret_file", StringField(&ServerConfig::jwt_secret_file, "jwt_secret_file")},
      {"max_body_bytes", IntField(&ServerConfig::max_body_bytes, "max_body_bytes")},
      {"max_upload_bytes", IntField(&ServerConfig::max_upload_bytes, "max_upload_bytes")},
      {"max_header_bytes", IntField(&ServerConfig::max_header_bytes, "max_header_bytes")},
      {"max_connections", IntField(&ServerConfig::max_connections, "max_connections")},
      {"header_timeout_ms", IntField(&ServerConfig::header_timeout_ms, "header_timeout_ms")},
      {"body_timeout_ms", IntField(&ServerConfig::body_timeout_ms, "body_timeout_ms")},
      {"request_deadline_ms", IntField(&ServerConfig::request_deadline_ms, "request_deadline_ms")},
      {"io_threads", IntField(&ServerConfig::io_threads, "io_threads")},
      {"worker_threads", IntField(&ServerConfig::worker_threads, "worker_threads")},
      {"hash_threads", IntField(&ServerConfig::hash_threads, "hash_threads")},
      {"hash_queue", IntField(&ServerConfig::hash_queue, "hash_queue")},
      {"password_ops_limit", IntField(&ServerConfig::password_ops_limit, "password_ops_limit")},
      {"password_mem_limit_kib",
       IntField(&ServerConfig::password_mem_limit_kib, "password_mem_limit_kib")},
      {"ffmpeg_timeout_ms", IntField(&ServerConfig::ffmpeg_timeout_ms, "ffmpeg_timeout_ms")},
      {"cache_entries", IntField(&ServerConfig::cache_entries, "cache_entries")},
      {"demo_content", BoolField(&ServerConfig::demo_content, "demo_content")},
      {"min_free_disk_mb", IntField(&ServerConfig::min_free_disk_mb, "min_free_disk_mb")},
      {"max_video_dimension", IntField(&ServerConfig::max_video_dimension, "max_video_dimension")},
      {"max_video_seconds", IntField(&ServerConfig::max_video_seconds, "max_video_seconds")},
      {"media_workers", IntField(&ServerConfig::media_workers, "media_workers")},
      {"transcode_preset", StringField(&ServerConfig::transcode_preset, "transcode_preset")},
      {"durability", StringField(&ServerConfig::durability, "durability")},
      {"transcode_crf", IntField(&ServerConfig::transcode_crf, "transcode_crf")},
      {"transcode_max_short_side", IntField(&ServerConfig::transcode_max_short_side, "transcode_max_short_side")},
      {"transcode_timeout_ms", IntField(&ServerConfig::transcode_timeout_ms, "transcode_timeout_ms")},
      {"transcode_max_attempts", IntField(&ServerConfig::transcode_max_attempts, "transcode_max_attempts")},
      {"transcode_retry_ms", IntField(&ServerConfig::transcode_retry_ms, "transcode_retry_ms")},
      {"media_lease_ms", IntField(&ServerConfig::media_lease_ms, "media_lease_ms")},
      {"keep_original", BoolField(&ServerConfig::keep_original, "keep_original")},
      {"rate_limits", MergeRateLimits},
      {"trusted_proxies",
       [](const boost::json::value& v, ServerConfig& c) {
         return MergeStringList(v, c.trusted_proxies, "trusted_proxies");
       }},
      {"rate_limit_max_keys", IntField(&ServerConfig::rate_limit_max_keys, "rate_limit_max_keys")},
      {"redis", StringField(&ServerConfig::redis, "redis")},
      {"role", StringField(&ServerConfig::role, "role")},
      {"grpc_listen", StringField(&ServerConfig::grpc_listen, "grpc_listen")},
      {"peers", StringField(&ServerConfig::peers, "peers")},
      {"etcd", StringField(&ServerConfig::etcd, "etcd")},
      {"cluster", StringField(&ServerConfig::cluster, "cluster")},
      {"log_level", StringField(&ServerConfig::log_level, "log_level")},
  };
  return kSetters;
}

}  // namespace

RateLimits DefaultRateLimits() {
  return {
      {"register", {.burst = 100, .refill_every_ms = 10'000}},
      {"login", {.burst = 60, .refill_every_ms = 1'000}},
      {"login_failures", {.burst = 10, .refill_every_ms = 90'000}},
      {"publish", {.burst = 20, .refill_every_ms = 60'000}},
      {"comment", {.burst = 60, .refill_every_ms = 1'000}},
      {"message", {.burst = 60, .refill_every_ms = 1'000}},
      {"like", {.burst = 300, .refill_every_ms = 100}},
      {"follow", {.burst = 300, .refill_every_ms = 100}},
      {"reads", {}},
  };
}

Status MergeJsonText(std::string_view text, ServerConfig& config) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(text, ec);
  if (ec) return MakeError(Code::kInvalidArgument, "config is not valid JSON: " + ec.message());
  if (!root.is_object()) return MakeError(Code::kInvalidArgument, "config must be a JSON object");
  for (const auto& [key, value] : root.as_object()) {
    const auto setter = Setters().find(std::string_view(key));
    if (setter == Setters().end()) {
      return MakeError(Code::kInvalidArgument, "unknown config key \"" + std::string(key) + "\"");
    }
    MINITOK_RETURN_IF_ERROR(setter->second(value, config));
  }
  return Ok();
}

Status MergeLiveJsonText(std::string_view text, ServerConfig& config) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(text, ec);
  if (!ec && root.is_object()) {
    for (const auto& [key, value] : root.as_object()) {
      if (std::find(std::begin(kLiveKeys), std::end(kLiveKeys), std::string_view(key)) == std::end(kLiveKeys)) {
        return MakeError(Code::kInvalidArgument, "config key \"" + std::string(key) +
                                                     "\" cannot change while serving (live: log_level, rate_limits, cache_entries)");
      }
    }
  }
  return MergeJsonText(text, config);
}

Status MergeJsonFile(const std::string& path, ServerConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(Code::kInvalidArgument, "cannot read config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto merged = MergeJsonText(text.str(), config);
  if (!merged.ok()) {
    Error error = std::move(merged).error();
    error.message = path + ": " + error.message;
    return error;
  }
  return Ok();
}

Status Validate(const ServerConfig& c) {
  const auto positive = [](std::int64_t v, std::string_view name) -> Status {
    if (v <= 0) {
      return MakeError(Code::kInvalidArgument, std::string(name) + " must be greater than zero");
    }
    return Ok();
  };
  MINITOK_RETURN_IF_ERROR(positive(c.token_ttl_seconds, "token_ttl_seconds"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_body_bytes, "max_body_bytes"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_upload_bytes, "max_upload_bytes"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_header_bytes, "max_header_bytes"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_connections, "max_connections"));
  MINITOK_RETURN_IF_ERROR(positive(c.header_timeout_ms, "header_timeout_ms"));
  MINITOK_RETURN_IF_ERROR(positive(c.body_timeout_ms, "body_timeout_ms"));
  MINITOK_RETURN_IF_ERROR(positive(c.request_deadline_ms, "request_deadline_ms"));
  MINITOK_RETURN_IF_ERROR(positive(c.io_threads, "io_threads"));
  MINITOK_RETURN_IF_ERROR(positive(c.worker_threads, "worker_threads"));
  MINITOK_RETURN_IF_ERROR(positive(c.hash_threads, "hash_threads"));
  MINITOK_RETURN_IF_ERROR(positive(c.hash_queue, "hash_queue"));
  MINITOK_RETURN_IF_ERROR(positive(c.password_ops_limit, "password_ops_limit"));
  MINITOK_RETURN_IF_ERROR(positive(c.password_mem_limit_kib, "password_mem_limit_kib"));
  MINITOK_RETURN_IF_ERROR(positive(c.ffmpeg_timeout_ms, "ffmpeg_timeout_ms"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_video_dimension, "max_video_dimension"));
  MINITOK_RETURN_IF_ERROR(positive(c.max_video_seconds, "max_video_seconds"));
  MINITOK_RETURN_IF_ERROR(positive(c.media_workers, "media_workers"));
  MINITOK_RETURN_IF_ERROR(positive(c.transcode_max_short_side, "transcode_max_short_side"));
  MINITOK_RETURN_IF_ERROR(positive(c.transcode_timeout_ms, "transcode_timeout_ms"));
  MINITOK_RETURN_IF_ERROR(positive(c.transcode_max_attempts, "transcode_max_attempts"));
  MINITOK_RETURN_IF_ERROR(positive(c.transcode_retry_ms, "transcode_retry_ms"));
  // A worker reports on its job every two seconds: a shorter lease would take jobs from live workers.
  if (c.media_lease_ms < 3000) return MakeError(Code::kInvalidArgument, "media_lease_ms must be at least 3000");
  if (c.cache_entries < 0) return MakeError(Code::kInvalidArgument, "cache_entries must not be negative");
  if (c.min_free_disk_mb < 0) return MakeError(Code::kInvalidArgument, "min_free_disk_mb must not be negative");
  if (c.transcode_crf < 0 || c.transcode_crf > 51) {
    return MakeError(Code::kInvalidArgument, "transcode_crf must be between 0 and 51");
  }
  if (!log::ParseLevel(c.log_level)) {
    return MakeError(Code::kInvalidArgument, "log_level must be \"info\", \"warn\" or \"error\"");
  }
  if (c.durability != "crash" && c.durability != "power-loss") {
    return MakeError(Code::kInvalidArgument, "durability must be \"crash\" or \"power-loss\"");
  }
  static constexpr std::string_view kPresets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                                  "medium", "slow", "slower", "veryslow"};
  if (std::find(std::begin(kPresets), std::end(kPresets), c.transcode_preset) == std::end(kPresets)) {
    return MakeError(Code::kInvalidArgument, "transcode_preset must be an x264 preset such as veryfast");
  }
  if (c.io_threads > 64 || c.worker_threads > 256 || c.hash_threads > 64) {
    return MakeError(Code::kInvalidArgument, "thread counts are limited to 64 (256 workers)");
  }
  for (const auto& [name, limit] : c.rate_limits) {
    // Bounded so that burst x refill (an empty bucket's refill time) stays far from overflow.
    constexpr std::int64_t kMax = 1'000'000'000;
    // And the product within 2^53, where Redis's Lua (doubles) computes exactly what C++ does.
    if (limit.burst > kMax || limit.refill_every_ms > kMax || limit.burst * limit.refill_every_ms > (1LL << 53)) {
      return MakeError(Code::kInvalidArgument, "rate_limits." + name +
                                                   ": burst and refill_every_ms are at most 10^9, and "
                                                   "burst x refill_every_ms at most 2^53 ms");
    }
    if (limit.burst > 0 && limit.refill_every_ms == 0) {
      return MakeError(Code::kInvalidArgument,
                       "rate_limits." + name + ": refill_every_ms must be > 0 (a burst of 0 turns the limit off)");
    }
  }
  if (c.rate_limit_max_keys < 1000) {
    return MakeError(Code::kInvalidArgument, "rate_limit_max_keys must be at least 1000");
  }
  if (!c.jwt_secret.empty() && c.jwt_secret.size() < 32) {
    return MakeError(Code::kInvalidArgument, "jwt_secret must be at least 32 characters");
  }
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 &&
      c.public_url.rfind("https://", 0) != 0) {
    return MakeError(Code::kInvalidArgument, "public_url must start with http:// or https://");
  }
  return Ok();
}

}  // namespace minitok::config
