#include "app/serve.h"

#include <signal.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "app/data_folder.h"
#include "app/http_gateway.h"
#include "app/live_settings.h"
#include "app/process.h"
#include "app/roles.h"
#include "libs/cache/data_version.h"
#include "libs/concurrency/thread_pool.h"
#include "libs/discovery/etcd.h"
#include "libs/log/logger.h"
#include "libs/media/probe.h"
#include "libs/rpc/runtime.h"
#include "libs/rpc/server.h"
#include "libs/rpc/server_call.h"
#include "libs/security/password_hasher.h"
#include "libs/sql/sqlite.h"
#include "services/comment/comment_service_sqlite.h"
#include "services/favorite/favorite_service_sqlite.h"
#include "services/message/message_service_sqlite.h"
#include "services/relation/relation_service_sqlite.h"
#include "services/user/user_service_sqlite.h"
#include "services/video/job_leases.h"
#include "services/video/media_pipeline.h"
#include "services/video/video_service_sqlite.h"
#include "rpc/comment/comment_grpc.h"
#include "rpc/favorite/favorite_grpc.h"
#include "rpc/message/message_grpc.h"
#include "rpc/relation/relation_grpc.h"
#include "rpc/user/user_grpc.h"
#include "rpc/video/jobs_grpc.h"
#include "rpc/video/video_grpc.h"

namespace minitok::app {
namespace {

/// A process without the HTTP gateway waits for its stop signal itself: SIGINT and SIGTERM are
/// blocked before any thread starts (threads inherit the mask), so that only sigwait sees them.
sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

/// A client of the `name` service's remote instances: at the addresses --peers gives, or else
/// (with `discovered`) wherever etcd will say.
template <class Interface>
Result<std::unique_ptr<Interface>> Connect(std::string_view name, rpc::RemoteService<Interface> remote,
                                           const Peers& peers, bool discovered) {
  if (const auto found = peers.find(name); found != peers.end()) {
    remote.instances->SetEndpoints(found->second);
  } else if (!discovered) {
    const std::string service(name);
    return MakeError(Code::kInvalidArgument, "this process calls the " + service + " service but does not run it: add " +
                                                 service + " to --role, say where it runs with --peers " + service +
                                                 "=HOST:PORT, or where to find it with --etcd");
  }
  return std::move(remote.client);
}

}  // namespace

int Serve(const config::ServerConfig& config) {
  rpc::PrepareGrpcRuntime();
  log::Logger logger;
  auto roles = ParseRoles(config.role);
  if (!roles.ok()) return FailToStart(logger, roles.error());
  auto peers = ParsePeers(config.peers);
  if (!peers.ok()) return FailToStart(logger, peers.error());
  const sigset_t stop_signals = StopSignals();
  if (!roles->gateway && pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
    return FailToStart(logger, InternalError("cannot block the stop signals"));
  }
  if (auto zone = ApplyTimeZone(config.time_zone); !zone.ok()) return FailToStart(logger, zone.error());
  // Service roles of a split process serve gRPC; the embedded shape calls everything in-process.
  const bool serves_grpc = !roles->all && !roles->services.empty();
  auto grpc_listen = SplitListen(config.grpc_listen, "--grpc-listen");
  if (!grpc_listen.ok()) return FailToStart(logger, grpc_listen.error());
  std::optional<discovery::EtcdOptions> etcd;
  if (!config.etcd.empty()) {
    auto endpoints = discovery::ParseEtcdEndpoints(config.etcd);
    if (!endpoints.ok()) return FailToStart(logger, endpoints.error());
    etcd = discovery::EtcdOptions{.endpoints = std::move(*endpoints), .cluster = config.cluster};
    const std::string& host = grpc_listen->first;
    if (serves_grpc && (host.empty() || host == "0.0.0.0" || host == "::")) {
      return FailToStart(logger, MakeError(Code::kInvalidArgument,
                                           "with --etcd, --grpc-listen must name the address other processes reach "
                                           "this one at, not " + config.grpc_listen));
    }
  }

  // Settings that may change while serving: the file's, then etcd's values for this process's roles.
  LiveSettings live(config, logger);
  const auto log_level = live.Follow(
      [&logger](const config::ServerConfig& settings) { logger.SetMinimumLevel(*log::ParseLevel(settings.log_level)); });
  std::unique_ptr<discovery::SettingsWatch> settings_watch;
  if (etcd) {
    settings_watch = std::make_unique<discovery::SettingsWatch>(
        *etcd, roles->names, logger, [&live](const std::vector<std::string>& values) { live.Update(values); });
    if (auto listed = settings_watch->Start(std::chrono::seconds(5)); !listed.ok()) logger.Warn(listed.error().message);
  }

  UndoUnlessStarted undo(config.data_dir);  // made first, so it is undone last, after every file closed
  const std::vector<std::string_view> own_databases(roles->services.begin(), roles->services.end());
  auto database_locks = DatabaseLocks::Take(config.data_dir, own_databases, true);
  if (!database_locks.ok()) {
    undo.Keep();  // another process's folder
    return FailToStart(logger, database_locks.error());
  }
  auto layout = PrepareDataDir(config.data_dir);
  if (!layout.ok()) return FailToStart(logger, layout.error());
  std::optional<UploadFolder> uploads;
  if (roles->gateway) {
    auto claimed = UploadFolder::Claim(*layout);
    if (!claimed.ok()) return FailToStart(logger, claimed.error());
    uploads.emplace(std::move(*claimed));
  }
  const bool runs_video = roles->Runs("video");
  const bool demo_content = config.demo_content && roles->all;
  std::optional<media::MediaTools> tools;
  if (runs_video || demo_content || roles->media) {
    auto located = media::LocateMediaTools(std::chrono::milliseconds(config.ffmpeg_timeout_ms));
    if (!located.ok()) return FailToStart(logger, located.error());
    tools = std::move(*located);
  }

  SystemClock clock;
  const security::PasswordHasher hasher(
      {.ops_limit = static_cast<std::uint64_t>(config.password_ops_limit),
       .mem_limit_bytes = static_cast<std::uint64_t>(config.password_mem_limit_kib) * 1024});
  concurrency::ThreadPool workers({.name = "minitok-worker", .threads = static_cast<std::size_t>(config.worker_threads)});
  // Password hashing is slow on purpose: its own small pool, lower priority, bounded queue, so a
  // login flood cannot take the workers that serve the feed. At nice +10 a saturated core gives it
  // about a tenth of its time: what the login limit admits from a flood cannot slow the reads more.
  concurrency::ThreadPool hashing({.name = "minitok-hash",
                                   .threads = static_cast<std::size_t>(config.hash_threads),
                                   .max_queue = static_cast<std::size_t>(config.hash_queue),
                                   .nice = 10});

  // Readers per database: one per thread that may read at once.
  const auto readers = static_cast<std::size_t>(config.worker_threads + config.hash_threads);
  // Bumped by the services after each change anonymous answers show (see DataVersion). Only a
  // gateway that runs every service sees every change, so only such a gateway caches answers.
  cache::DataVersion data_version;
  const sql::DatabaseOptions online{.readers = readers,
                                    .checkpoint_interval = std::chrono::milliseconds(250),
                                    .durability = config.durability == "power-loss" ? sql::Durability::kPowerLoss
                                                                                    : sql::Durability::kProcessCrash};

  // Services, in dependency order (destroyed in reverse). `build` makes the `name` service on its
  // own database when this process runs it (`make` gets the opened database), or else a client of
  // its remote instances when something here calls it.
  const auto needed = roles->Needed();
  std::vector<std::pair<std::string, rpc::EndpointSink*>> remote_instances;  // for /readyz
  const auto build = [&]<class Local, class Interface>(
                         std::string_view name, std::span<const EmbeddedFile> migrations, std::size_t extra_readers,
                         std::unique_ptr<Local>& local, std::unique_ptr<Interface>& remote,
                         rpc::RemoteService<Interface> (*client)(), auto make) -> Result<Interface*> {
    if (roles->Runs(name)) {
      auto options = online;
      options.readers += extra_readers;
      MINITOK_ASSIGN_OR_RETURN(auto db, OpenDatabase(*layout, std::string(name), migrations, options));
      Result<std::unique_ptr<Local>> made = make(std::move(db));
      MINITOK_ASSIGN_OR_RETURN(local, std::move(made));
      return static_cast<Interface*>(local.get());
    }
    if (std::find(needed.begin(), needed.end(), name) == needed.end()) return static_cast<Interface*>(nullptr);
    auto connection = client();
    remote_instances.emplace_back(name, connection.instances);
    MINITOK_ASSIGN_OR_RETURN(remote, Connect(name, std::move(connection), *peers, etcd.has_value()));
    return remote.get();
  };
  std::unique_ptr<user::UserServiceSqlite> local_users;
  std::unique_ptr<user::UserService> remote_users;
  const auto users = build("user", user::Migrations(), 0, local_users, remote_users, &user::UserGrpcClient,
                           [&](auto db) {
                             return std::make_unique<user::UserServiceSqlite>(std::move(db), hasher, clock,
                                                                              &data_version);
                           });
  if (!users.ok()) return FailToStart(logger, users.error());
  // Transcode workers: on the video store in the video process, or on its jobs over gRPC (whose
  // publishes cannot wake them, so they ask every second).
  const auto transcode_settings = [&config](std::chrono::milliseconds poll_every) {
    return video::TranscodeSettings{.workers = static_cast<std::size_t>(config.media_workers),
                                    .preset = config.transcode_preset,
                                    .crf = static_cast<int>(config.transcode_crf),
                                    .max_short_side = static_cast<int>(config.transcode_max_short_side),
                                    .timeout = std::chrono::milliseconds(config.transcode_timeout_ms),
                                    .max_attempts = static_cast<int>(config.transcode_max_attempts),
                                    .retry_base = std::chrono::milliseconds(config.transcode_retry_ms),
                                    .keep_original = config.keep_original,
                                    .poll_every = poll_every};
  };
  std::unique_ptr<video::TranscodeJobs> remote_jobs;
  std::unique_ptr<video::VideoStore> video_store;
  std::unique_ptr<video::MediaPipeline> pipeline;
  std::unique_ptr<video::VideoServiceSqlite> local_videos;
  std::unique_ptr<video::VideoService> remote_videos;
  const auto videos = build(
      "video", video::Migrations(), static_cast<std::size_t>(config.media_workers), local_videos, remote_videos,
      &video::VideoGrpcClient, [&](auto db) -> Result<std::unique_ptr<video::VideoServiceSqlite>> {
        video_store = std::make_unique<video::VideoStore>(std::move(db), clock, &data_version);
        MINITOK_RETURN_IF_ERROR(video::RecoverMediaFolder(*video_store, layout->media.string(), logger));
        if (roles->media) {
          pipeline = std::make_unique<video::MediaPipeline>(*video_store, layout->media.string(), *tools,
                                                            transcode_settings(std::chrono::milliseconds(0)), clock,
                                                            logger);
        }
        return std::make_unique<video::VideoServiceSqlite>(
            *video_store,
            video::PublishSettings{.media_dir = layout->media.string(),
                                   .tools = *tools,
                                   .max_dimension = static_cast<int>(config.max_video_dimension),
                                   .max_seconds = static_cast<double>(config.max_video_seconds)},
            [&pipeline] {
              if (pipeline) pipeline->Wake();
            });
      });
  if (!videos.ok()) return FailToStart(logger, videos.error());
  if (roles->media && !runs_video) {
    auto jobs = video::TranscodeJobsGrpcClient();
    remote_instances.emplace_back("video", jobs.instances);
    auto connected = Connect("video", std::move(jobs), *peers, etcd.has_value());
    if (!connected.ok()) return FailToStart(logger, connected.error());
    remote_jobs = std::move(*connected);
    pipeline = std::make_unique<video::MediaPipeline>(*remote_jobs, layout->media.string(), *tools,
                                                      transcode_settings(std::chrono::seconds(1)), clock, logger);
  }
  // The other four depend only on the two above.
  std::unique_ptr<favorite::FavoriteServiceSqlite> local_favorites;
  std::unique_ptr<favorite::FavoriteService> remote_favorites;
  const auto favorites = build("favorite", favorite::Migrations(), 0, local_favorites, remote_favorites,
                               &favorite::FavoriteGrpcClient, [&](auto db) {
                                 return std::make_unique<favorite::FavoriteServiceSqlite>(std::move(db), **videos,
                                                                                          clock, &data_version);
                               });
  if (!favorites.ok()) return FailToStart(logger, favorites.error());
  std::unique_ptr<comment::CommentServiceSqlite> local_comments;
  std::unique_ptr<comment::CommentService> remote_comments;
  const auto comments = build("comment", comment::Migrations(), 0, local_comments, remote_comments,
                              &comment::CommentGrpcClient, [&](auto db) {
                                return std::make_unique<comment::CommentServiceSqlite>(std::move(db), **videos, clock,
                                                                                       &data_version);
                              });
  if (!comments.ok()) return FailToStart(logger, comments.error());
  std::unique_ptr<relation::RelationServiceSqlite> local_relations;
  std::unique_ptr<relation::RelationService> remote_relations;
  const auto relations = build("relation", relation::Migrations(), 0, local_relations, remote_relations,
                               &relation::RelationGrpcClient, [&](auto db) {
                                 return std::make_unique<relation::RelationServiceSqlite>(std::move(db), **users,
                                                                                          clock, &data_version);
                               });
  if (!relations.ok()) return FailToStart(logger, relations.error());
  std::unique_ptr<message::MessageServiceSqlite> local_messages;
  std::unique_ptr<message::MessageService> remote_messages;
  const auto messages = build("message", message::Migrations(), 0, local_messages, remote_messages,
                              &message::MessageGrpcClient, [&](auto db) {
                                return std::make_unique<message::MessageServiceSqlite>(std::move(db), **users, clock);
                              });
  if (!messages.ok()) return FailToStart(logger, messages.error());
  // Where the services this process calls but --peers does not name are, as etcd says. Made after
  // the clients it feeds, so that it stops before they go.
  std::unique_ptr<discovery::Discovery> discovery;
  if (etcd) {
    discovery = std::make_unique<discovery::Discovery>(*etcd, logger);
    for (const auto& [name, instances] : remote_instances) {
      if (!peers->contains(name)) discovery->Follow(name, *instances);
    }
    if (auto found = discovery->Start(std::chrono::seconds(5)); !found.ok()) logger.Warn(found.error().message);
  }

  // This process's services over gRPC, for the other processes of the cluster; the video service
  // also hands its transcode jobs to media workers elsewhere, each under a lease.
  std::unique_ptr<video::JobLeases> job_leases;
  if (serves_grpc && video_store) {
    job_leases = std::make_unique<video::JobLeases>(*video_store, clock,
                                                    std::chrono::milliseconds(config.media_lease_ms), logger);
  }
  rpc::Dispatcher reads_and_writes(workers, logger);
  rpc::Dispatcher sign_ins(hashing, logger);
  std::unique_ptr<rpc::RpcServer> grpc_server;
  if (serves_grpc) {
    std::vector<rpc::ServedService> served;
    if (local_users) served.push_back(user::ServeUserOverGrpc(*local_users, reads_and_writes, sign_ins));
    if (local_videos) served.push_back(video::ServeVideoOverGrpc(*local_videos, reads_and_writes));
    if (job_leases) served.push_back(video::ServeTranscodeJobsOverGrpc(*job_leases, reads_and_writes));
    if (local_favorites) served.push_back(favorite::ServeFavoriteOverGrpc(*local_favorites, reads_and_writes));
    if (local_comments) served.push_back(comment::ServeCommentOverGrpc(*local_comments, reads_and_writes));
    if (local_relations) served.push_back(relation::ServeRelationOverGrpc(*local_relations, reads_and_writes));
    if (local_messages) served.push_back(message::ServeMessageOverGrpc(*local_messages, reads_and_writes));
    auto started = rpc::RpcServer::Start(config.grpc_listen, std::move(served));
    if (!started.ok()) return FailToStart(logger, started.error());
    grpc_server = std::move(*started);
  }
  // Registered only once serving: a client never learns of an instance that cannot answer yet.
  std::unique_ptr<discovery::Registration> registration;
  if (grpc_server && etcd) {
    const auto port = std::to_string(grpc_server->port());
    const std::string& host = grpc_listen->first;
    registration = std::make_unique<discovery::Registration>(
        *etcd, roles->services, (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port, logger);
    if (auto registered = registration->Start(std::chrono::seconds(5)); !registered.ok()) {
      logger.Warn(registered.error().message);
    }
  }

  // Once this process accepts calls: transcoding starts, and the caches fill from the databases in
  // the background, so that the first minutes after a start are not a storm of misses (requests
  // are served meanwhile; misses read SQLite as usual).
  std::jthread warm_caches;
  const auto on_started = [&] {
    undo.Keep();
    if (pipeline) pipeline->Start();
    if (job_leases) job_leases->Start();
    warm_caches = std::jthread([&] {
      const auto started = std::chrono::steady_clock::now();
      std::vector<std::function<Result<std::size_t>()>> steps;
      if (local_users) steps.emplace_back([&] { return local_users->WarmCaches(); });
      if (video_store) steps.emplace_back([&] { return video_store->WarmCaches(); });
      if (local_favorites) steps.emplace_back([&] { return local_favorites->WarmCaches(); });
      if (local_comments) steps.emplace_back([&] { return local_comments->WarmCaches(); });
      if (local_relations) steps.emplace_back([&] { return local_relations->WarmCaches(); });
      std::size_t filled = 0;
      for (const auto& step : steps) {
        const auto warmed = step();
        if (!warmed.ok()) return logger.Warn("warming the caches stopped: " + warmed.error().detail);
        filled += *warmed;
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      logger.Info("caches warmed: " + std::to_string(filled) + " objects in " + std::to_string(ms.count()) + " ms");
    });
    if (grpc_server) {
      for (const auto& role : roles->services) {
        std::cout << "minitok " << role << " serving gRPC on " << grpc_listen->first << ":" << grpc_server->port()
                  << std::endl;
      }
    }
    if (remote_jobs) std::cout << "minitok media transcoding for the video service" << std::endl;
  };
  // Leaving: first out of etcd, so that clients stop choosing this instance; then new calls are
  // refused and those in flight get a moment to finish.
  const auto on_stopping = [&] {
    if (registration) registration->Stop();
    if (grpc_server) grpc_server->Shutdown(std::chrono::seconds(5));
  };

  int exit_code = 0;
  if (roles->gateway) {
    exit_code = RunHttpGateway({.config = config,
                                .data_dir = layout->root,
                                .secret_path = layout->secret,
                                .upload_dir = uploads->path(),
                                .services = {**users, **videos, **favorites, **comments, **relations, **messages},
                                .live = live,
                                .live_changes = settings_watch != nullptr,
                                .public_changes = roles->all ? &data_version : nullptr,
                                .services_remote = !local_users && !local_videos && !local_favorites &&
                                                   !local_comments && !local_relations && !local_messages,
                                .demo_tools = demo_content ? tools : std::nullopt,
                                .workers = workers,
                                .hashing = hashing,
                                .clock = clock,
                                .logger = logger,
                                .unreachable_services =
                                    [&] {
                                      std::vector<std::string> unreachable;
                                      for (const auto& [name, instances] : remote_instances) {
                                        if (!instances->AnyServing(std::chrono::milliseconds(500))) unreachable.push_back(name);
                                      }
                                      return unreachable;
                                    },
                                .on_started = on_started,
                                .on_stopping = on_stopping});
  } else {
    on_started();
    logger.Info("serving " + config.role + " from data folder " + layout->root.string());
    int signal = 0;
    sigwait(&stop_signals, &signal);
    on_stopping();
    workers.Shutdown();
    hashing.Shutdown();
  }
  if (pipeline) pipeline->Stop();
  logger.Info("stopped");
  return exit_code;
}

}  // namespace minitok::app
