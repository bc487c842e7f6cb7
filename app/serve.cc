#include "app/serve.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/data_folder.h"
#include "app/demo_content.h"
#include "gateway/api_envelope.h"
#include "libs/cache/data_version.h"
#include "libs/cache/response_cache.h"
#include "gateway/douyin_api.h"
#include "gateway/web_routes.h"
#include "libs/concurrency/thread_pool.h"
#include "libs/http/server.h"
#include "libs/log/logger.h"
#include "libs/media/probe.h"
#include "libs/ratelimit/client_address.h"
#include "libs/ratelimit/local_limiter.h"
#include "libs/ratelimit/redis_limiter.h"
#include "libs/security/password_hasher.h"
#include "libs/security/token_codec.h"
#include "libs/sql/sqlite.h"
#include "services/comment/comment_service_sqlite.h"
#include "services/favorite/favorite_service_sqlite.h"
#include "services/message/message_service_sqlite.h"
#include "services/relation/relation_service_sqlite.h"
#include "services/user/user_service_sqlite.h"
#include "services/video/media_pipeline.h"
#include "services/video/video_service_sqlite.h"

namespace minitok::app {
namespace {

namespace fs = std::filesystem;

Result<std::pair<std::string, std::uint16_t>> SplitListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(Code::kInvalidArgument, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return MakeError(Code::kInvalidArgument, "bad port in --listen " + listen);
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

int Fail(log::Logger& logger, const Error& error) {
  logger.Error(error.message + (error.detail.empty() ? "" : " (" + error.detail + ")"));
  logger.Flush();
  std::cerr << "minitok: " << error.message << std::endl;
  return 1;
}

}  // namespace

int Serve(const config::ServerConfig& config) {
  log::Logger logger;
  if (auto zone = ApplyTimeZone(config.time_zone); !zone.ok()) return Fail(logger, zone.error());
  auto listen = SplitListen(config.listen);
  if (!listen.ok()) return Fail(logger, listen.error());
  UndoUnlessStarted undo(config.data_dir);  // made first, so it is undone last, after every file closed
  auto folder_lock = FolderLock::Take(config.data_dir, true);
  if (!folder_lock.ok()) {
    undo.Keep();  // another process's folder
    return Fail(logger, folder_lock.error());
  }
  auto layout = PrepareDataDir(config.data_dir);
  if (!layout.ok()) return Fail(logger, layout.error());
  auto secret = LoadSecret(config, layout->secret);
  if (!secret.ok()) return Fail(logger, secret.error());
  auto tools = media::LocateMediaTools(std::chrono::milliseconds(config.ffmpeg_timeout_ms));
  if (!tools.ok()) return Fail(logger, tools.error());

  SystemClock clock;
  const security::TokenCodec tokens(*secret, config.token_ttl_seconds, clock);
  const security::PasswordHasher hasher(
      {.ops_limit = static_cast<std::uint64_t>(config.password_ops_limit),
       .mem_limit_bytes = static_cast<std::uint64_t>(config.password_mem_limit_kib) * 1024});

  // Readers per database: one per thread that may read at once.
  const auto readers = static_cast<std::size_t>(config.worker_threads + config.hash_threads);
  // Bumped by the services after each change anonymous answers show (see DataVersion).
  cache::DataVersion data_version;
  cache::ResponseCache answers(static_cast<std::size_t>(config.cache_entries));
  const gateway::AnswerCache answer_cache{answers, data_version};
  const sql::DatabaseOptions online{.readers = readers,
                                    .checkpoint_interval = std::chrono::milliseconds(250),
                                    .durability = config.durability == "power-loss" ? sql::Durability::kPowerLoss
                                                                                    : sql::Durability::kProcessCrash};
  auto user_db = OpenDatabase(*layout, "user", user::Migrations(), online);
  if (!user_db.ok()) return Fail(logger, user_db.error());
  auto video_db = OpenDatabase(*layout, "video", video::Migrations(),
                               {.readers = readers + static_cast<std::size_t>(config.media_workers),
                                .checkpoint_interval = online.checkpoint_interval,
                                .durability = online.durability});
  if (!video_db.ok()) return Fail(logger, video_db.error());
  auto favorite_db = OpenDatabase(*layout, "favorite", favorite::Migrations(), online);
  if (!favorite_db.ok()) return Fail(logger, favorite_db.error());
  auto comment_db = OpenDatabase(*layout, "comment", comment::Migrations(), online);
  if (!comment_db.ok()) return Fail(logger, comment_db.error());
  auto relation_db = OpenDatabase(*layout, "relation", relation::Migrations(), online);
  if (!relation_db.ok()) return Fail(logger, relation_db.error());
  auto message_db = OpenDatabase(*layout, "message", message::Migrations(), online);
  if (!message_db.ok()) return Fail(logger, message_db.error());

  // Services, in dependency order (destroyed in reverse).
  user::UserServiceSqlite users(std::move(*user_db), hasher, clock, &data_version);
  video::VideoStore video_store(std::move(*video_db), clock, &data_version);
  video::MediaPipeline pipeline(video_store, layout->media.string(), *tools,
                                {.workers = static_cast<std::size_t>(config.media_workers),
                                 .preset = config.transcode_preset,
                                 .crf = static_cast<int>(config.transcode_crf),
                                 .max_short_side = static_cast<int>(config.transcode_max_short_side),
                                 .timeout = std::chrono::milliseconds(config.transcode_timeout_ms),
                                 .max_attempts = static_cast<int>(config.transcode_max_attempts),
                                 .retry_base = std::chrono::milliseconds(config.transcode_retry_ms),
                                 .keep_original = config.keep_original},
                                clock, logger);
  if (auto recovered = pipeline.Recover(); !recovered.ok()) return Fail(logger, recovered.error());
  video::VideoServiceSqlite videos(video_store,
                                   {.media_dir = layout->media.string(),
                                    .tools = *tools,
                                    .max_dimension = static_cast<int>(config.max_video_dimension),
                                    .max_seconds = static_cast<double>(config.max_video_seconds)},
                                   [&pipeline] { pipeline.Wake(); });
  favorite::FavoriteServiceSqlite favorites(std::move(*favorite_db), videos, clock, &data_version);
  comment::CommentServiceSqlite comments(std::move(*comment_db), videos, clock, &data_version);
  relation::RelationServiceSqlite relations(std::move(*relation_db), users, clock, &data_version);
  message::MessageServiceSqlite messages(std::move(*message_db), users, clock);
  gateway::Services services{users, videos, favorites, comments, relations, messages};

  // Rate limits: this gateway's own buckets, or with Redis buckets shared by every gateway (the
  // own ones then decide only while Redis is unreachable).
  auto trusted_proxies = ratelimit::TrustedProxies::Parse(config.trusted_proxies);
  if (!trusted_proxies.ok()) return Fail(logger, trusted_proxies.error());
  ratelimit::LocalLimiter local_limits({.max_keys = static_cast<std::size_t>(config.rate_limit_max_keys)});
  std::unique_ptr<ratelimit::RedisLimiter> shared_limits;
  if (!config.redis.empty()) {
    auto endpoint = ratelimit::ParseRedisUrl(config.redis);
    if (!endpoint.ok()) return Fail(logger, endpoint.error());
    shared_limits = std::make_unique<ratelimit::RedisLimiter>(ratelimit::RedisLimiterOptions{.endpoint = *endpoint},
                                                               local_limits, logger);
  }
  std::map<std::string, ratelimit::BucketRule, std::less<>> rules;
  for (const auto& [name, limit] : config.rate_limits) {
    rules[name] = {.burst = limit.burst, .refill_every_ms = limit.refill_every_ms};
  }
  const gateway::TrafficControl traffic(std::move(rules),
                                        shared_limits ? static_cast<ratelimit::Limiter&>(*shared_limits) : local_limits,
                                        std::move(*trusted_proxies), tokens);

  gateway::DouyinApi api(services, tokens, clock, {config.public_url}, logger,
                         config.cache_entries > 0 ? &answer_cache : nullptr, &traffic);
  http::Router router;
  api.AddRoutes(router);
  gateway::AddWebRoutes(router);
  router.Add({.pattern = "/healthz",
              .methods = {http::Method::kGet, http::Method::kHead},
              .handler = [](http::Request&) {
                http::Response response;
                response.body = R"({"status":"ok"})";
                response.headers.emplace_back("Cache-Control", "no-store");
                return response;
              },
              .executor = http::Executor::kEventLoop});

  concurrency::ThreadPool workers({.name = "minitok-worker", .threads = static_cast<std::size_t>(config.worker_threads)});
  // Password hashing is slow on purpose: its own small pool, lower priority, bounded queue, so a
  // login flood cannot take the workers that serve the feed. At nice +10 a saturated core gives it
  // about a tenth of its time: what the login limit admits from a flood cannot slow the reads more.
  concurrency::ThreadPool hashing({.name = "minitok-hash",
                                   .threads = static_cast<std::size_t>(config.hash_threads),
                                   .max_queue = static_cast<std::size_t>(config.hash_queue),
                                   .nice = 10});
  http::Server server({.host = listen->first,
                       .port = listen->second,
                       .io_threads = static_cast<std::size_t>(config.io_threads),
                       .max_header_bytes = static_cast<std::uint64_t>(config.max_header_bytes),
                       .max_body_bytes = static_cast<std::uint64_t>(config.max_body_bytes),
                       .max_upload_bytes = static_cast<std::uint64_t>(config.max_upload_bytes),
                       .max_connections = static_cast<std::size_t>(config.max_connections),
                       .header_timeout = std::chrono::milliseconds(config.header_timeout_ms),
                       .body_timeout = std::chrono::milliseconds(config.body_timeout_ms),
                       .request_deadline = std::chrono::milliseconds(config.request_deadline_ms),
                       .upload_dir = layout->uploads.string(),
                       .min_free_disk_bytes = static_cast<std::uint64_t>(config.min_free_disk_mb) << 20},
                      router,
                      {.busy = &gateway::DouyinApi::Busy,
                       .upload_too_large = &gateway::DouyinApi::UploadTooLarge,
                       .bad_form = &gateway::DouyinApi::BadForm,
                       .disk_full = &gateway::DouyinApi::DiskFull},
                      workers, hashing, logger);
  auto port = server.Listen();
  if (!port.ok()) return Fail(logger, port.error());
  undo.Keep();

  pipeline.Start();
  // The caches fill from the databases in the background, so that the first minutes after a
  // start are not a storm of misses; requests are served meanwhile (misses read SQLite as usual).
  std::jthread warm_caches([&] {
    const auto started = std::chrono::steady_clock::now();
    const std::function<Result<std::size_t>()> steps[] = {
        [&] { return users.WarmCaches(); }, [&] { return video_store.WarmCaches(); },
        [&] { return favorites.WarmCaches(); }, [&] { return comments.WarmCaches(); },
        [&] { return relations.WarmCaches(); }};
    std::size_t filled = 0;
    for (const auto& step : steps) {
      const auto warmed = step();
      if (!warmed.ok()) return logger.Warn("warming the caches stopped: " + warmed.error().detail);
      filled += *warmed;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    logger.Info("caches warmed: " + std::to_string(filled) + " objects in " + std::to_string(ms.count()) + " ms");
  });
  std::unique_ptr<DemoContent> demo;
  if (config.demo_content) {
    demo = std::make_unique<DemoContent>(services, *tools, layout->root, logger);
    demo->StartIfEmpty();
  }

  std::cout << "minitok listening on http://" << listen->first << ":" << *port << std::endl;
  logger.Info("serving data folder " + layout->root.string());
  server.Run();
  if (demo) demo->Stop();
  workers.Shutdown();
  hashing.Shutdown();
  // After the pools (their sign-ins and uploads may still ask it), while the loops still exist for
  // verdicts on their way from Redis.
  shared_limits.reset();
  pipeline.Stop();
  logger.Info("stopped");
  return 0;
}

}  // namespace minitok::app
