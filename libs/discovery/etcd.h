#pragma once
// Service discovery through etcd's v3 API. A process that serves services registers each under a
// lease (10 s, kept alive) and revokes it when it stops; a process that calls services follows
// their instances (a listing, then a watch) and hands every change to the gRPC clients. Both run
// on background threads, survive etcd going away (the last known instances stay in use, the
// registration resumes when etcd returns) and try the etcd endpoints in turn. Free of gRPC headers.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/result.h"
#include "libs/log/logger.h"
#include "libs/rpc/endpoints.h"

namespace minitok::discovery {

struct EtcdOptions {
  std::vector<std::string> endpoints;  ///< HOST:PORT of etcd members
  std::string cluster = "minitok";     ///< key prefix shared by one cluster's processes
};

/// "http://HOST:PORT[,http://HOST:PORT...]" (the scheme may be left out) as HOST:PORT endpoints.
Result<std::vector<std::string>> ParseEtcdEndpoints(std::string_view text);

/// Keeps `services`, served at `address` by this process, registered.
class Registration {
 public:
  Registration(EtcdOptions options, std::vector<std::string> services, std::string address, log::Logger& logger);
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  /// Starts registering; returns once etcd holds the keys, or kUnavailable after `wait` (the
  /// registration goes on trying in the background).
  Status Start(std::chrono::milliseconds wait);
  /// Revokes the lease, so that every client drops this instance at once. Call before draining.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Keeps the gRPC clients of remote services pointed at their live instances.
class Discovery {
 public:
  Discovery(EtcdOptions options, log::Logger& logger);
  ~Discovery();
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  /// Before Start: `instances` gets the addresses of `service`'s instances whenever they change
  /// (several clients may follow one service).
  void Follow(std::string service, rpc::EndpointSink& instances);
  /// Starts following; returns once the instances were listed, or kUnavailable after `wait` (it
  /// goes on trying in the background).
  Status Start(std::chrono::milliseconds wait);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Follows the settings of this process's roles: the keys `<cluster>/config/<role>`, each a JSON
/// object of settings that may change while serving. `on_change` gets the values of the roles that
/// have one, in the order the roles were given, first once listed and then after every change;
/// it runs on the watch's thread. While etcd is away the last values stay.
class SettingsWatch {
 public:
  SettingsWatch(EtcdOptions options, std::vector<std::string> roles, log::Logger& logger,
                std::function<void(const std::vector<std::string>&)> on_change);
  ~SettingsWatch();
  SettingsWatch(const SettingsWatch&) = delete;
  SettingsWatch& operator=(const SettingsWatch&) = delete;

  /// Starts following; returns once the values were listed, or kUnavailable after `wait`.
  Status Start(std::chrono::milliseconds wait);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minitok::discovery
