#include "app/http_gateway.h"

#include <iostream>
#include <map>
#include <memory>

#include "app/data_folder.h"
#include "app/demo_content.h"
#include "app/process.h"
#include "gateway/douyin_api.h"
#include "gateway/web_routes.h"
#include "libs/cache/response_cache.h"
#include "libs/http/server.h"
#include "libs/json/json_writer.h"
#include "libs/ratelimit/client_address.h"
#include "libs/ratelimit/local_limiter.h"
#include "libs/ratelimit/redis_limiter.h"
#include "libs/security/token_codec.h"

namespace minitok::app {
namespace {

gateway::TrafficControl::Rules RulesOf(const config::RateLimits& limits) {
  gateway::TrafficControl::Rules rules;
  for (const auto& [name, limit] : limits) {
    rules[name] = {.burst = limit.burst, .refill_every_ms = limit.refill_every_ms};
  }
  return rules;
}

}  // namespace

int RunHttpGateway(const GatewaySetup& setup) {
  const config::ServerConfig& config = setup.config;
  log::Logger& logger = setup.logger;
  auto listen = SplitListen(config.listen, "--listen");
  if (!listen.ok()) return FailToStart(logger, listen.error());
  auto secret = LoadSecret(config, setup.secret_path);
  if (!secret.ok()) return FailToStart(logger, secret.error());
  const security::TokenCodec tokens(*secret, config.token_ttl_seconds, setup.clock);

  cache::ResponseCache answers(static_cast<std::size_t>(config.cache_entries));
  std::optional<gateway::AnswerCache> answer_cache;
  if (setup.public_changes != nullptr) answer_cache.emplace(answers, *setup.public_changes);

  // Rate limits: this gateway's own buckets, or with Redis buckets shared by every gateway (the
  // own ones then decide only while Redis is unreachable).
  auto trusted_proxies = ratelimit::TrustedProxies::Parse(config.trusted_proxies);
  if (!trusted_proxies.ok()) return FailToStart(logger, trusted_proxies.error());
  ratelimit::LocalLimiter local_limits({.max_keys = static_cast<std::size_t>(config.rate_limit_max_keys)});
  std::unique_ptr<ratelimit::RedisLimiter> shared_limits;
  if (!config.redis.empty()) {
    auto endpoint = ratelimit::ParseRedisUrl(config.redis);
    if (!endpoint.ok()) return FailToStart(logger, endpoint.error());
    shared_limits = std::make_unique<ratelimit::RedisLimiter>(ratelimit::RedisLimiterOptions{.endpoint = *endpoint},
                                                               local_limits, logger);
  }
  gateway::TrafficControl traffic(RulesOf(config.rate_limits),
                                  shared_limits ? static_cast<ratelimit::Limiter&>(*shared_limits) : local_limits,
                                  std::move(*trusted_proxies), tokens, setup.live_changes);
  const auto limits_follow = setup.live.Follow(
      [&traffic, &answers](const config::ServerConfig& settings) {
        traffic.SetRules(RulesOf(settings.rate_limits));
        answers.SetMaxEntries(static_cast<std::size_t>(settings.cache_entries));
      });

  gateway::DouyinApi api(setup.services, tokens, setup.clock, {.public_url = config.public_url, .services_remote = setup.services_remote}, logger,
                         answer_cache ? &*answer_cache : nullptr, &traffic);
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
  // For load balancers: whether this gateway can answer (each service it calls has an instance
  // that answers its health check), as opposed to /healthz, whether it is alive. It asks, so it
  // runs on a worker.
  router.Add({.pattern = "/readyz",
              .methods = {http::Method::kGet, http::Method::kHead},
              .handler = [&setup](http::Request&) {
                const auto unreachable = setup.unreachable_services();
                json::JsonWriter body;
                body.BeginObject().Member("status", unreachable.empty() ? "ready" : "unavailable");
                body.Key("unreachable").BeginArray();
                for (const auto& service : unreachable) body.String(service);
                body.EndArray().EndObject();
                http::Response response;
                response.status = unreachable.empty() ? 200 : 503;
                response.body = body.Take();
                response.headers.emplace_back("Cache-Control", "no-store");
                return response;
              },
              .executor = http::Executor::kWorker});

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
                       .upload_dir = setup.upload_dir.string(),
                       .min_free_disk_bytes = static_cast<std::uint64_t>(config.min_free_disk_mb) << 20},
                      router,
                      {.busy = &gateway::DouyinApi::Busy,
                       .upload_too_large = &gateway::DouyinApi::UploadTooLarge,
                       .bad_form = &gateway::DouyinApi::BadForm,
                       .disk_full = &gateway::DouyinApi::DiskFull},
                      setup.workers, setup.hashing, logger);
  auto port = server.Listen();
  if (!port.ok()) return FailToStart(logger, port.error());
  setup.on_started();
  std::unique_ptr<DemoContent> demo;
  if (setup.demo_tools) {
    demo = std::make_unique<DemoContent>(setup.services, *setup.demo_tools, setup.data_dir, setup.upload_dir, logger);
    demo->StartIfEmpty();
  }

  std::cout << "minitok listening on http://" << listen->first << ":" << *port << std::endl;
  logger.Info("serving data folder " + setup.data_dir.string());
  server.Run();
  if (demo) demo->Stop();
  setup.on_stopping();
  setup.workers.Shutdown();
  setup.hashing.Shutdown();
  // After the pools (their sign-ins and uploads may still ask it), while the loops still exist for
  // verdicts on their way from Redis.
  shared_limits.reset();
  return 0;
}

}  // namespace minitok::app
