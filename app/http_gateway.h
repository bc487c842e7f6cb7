#pragma once
// The gateway role of `minitok serve`: the Douyin HTTP API, the web client, rate limits and the
// answer cache, in front of the services (in-process or remote), until SIGINT or SIGTERM.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/live_settings.h"
#include "gateway/services.h"
#include "libs/cache/data_version.h"
#include "libs/concurrency/thread_pool.h"
#include "libs/config/server_config.h"
#include "libs/core/clock.h"
#include "libs/log/logger.h"
#include "libs/media/probe.h"

namespace minitok::app {

struct GatewaySetup {
  const config::ServerConfig& config;
  std::filesystem::path data_dir;
  std::filesystem::path secret_path;
  std::filesystem::path upload_dir;
  gateway::Services services;
  /// The rate limits follow it; with `live_changes` they may change while serving.
  LiveSettings& live;
  bool live_changes = false;
  /// Bumped by the services on every public change; null when some service runs elsewhere (its
  /// changes would not bump it), which turns the answer cache off.
  cache::DataVersion* public_changes = nullptr;
  /// None of the services runs in this process.
  bool services_remote = false;
  /// Fills a new data folder with demo users and videos (the embedded shape only).
  std::optional<media::MediaTools> demo_tools;
  concurrency::ThreadPool& workers;
  concurrency::ThreadPool& hashing;
  const Clock& clock;
  log::Logger& logger;
  /// The services no instance of which answers its health check (for /readyz); empty when all do.
  /// Blocks for a moment at most.
  std::function<std::vector<std::string>()> unreachable_services;
  std::function<void()> on_started;   ///< once listening, before the listening line is printed
  std::function<void()> on_stopping;  ///< after the last request, before the pools stop
};

/// Serves until a stop signal; the pools are shut down before it returns. Returns the exit code.
int RunHttpGateway(const GatewaySetup& setup);

}  // namespace minitok::app
