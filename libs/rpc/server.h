#pragma once
// A gRPC server for one or more service adapters, with the standard health-checking service
// (grpc.health.v1.Health) reporting each of them. Only the composition root and tests use it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "libs/core/result.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace minitok::rpc {

/// A service adapter ready to serve (made by rpc/<service>/). The shared_ptr carries its deleter,
/// so holders need no gRPC headers.
struct ServedService {
  std::shared_ptr<grpc::Service> service;
  std::string name;  ///< full name ("minitok.favorite.v1.Favorite"), as health checks ask for it
};

class RpcServer {
 public:
  /// Listens on `address` ("HOST:PORT"; port 0 picks a free one) and serves `services`, each
  /// reported SERVING to health checks until Shutdown.
  static Result<std::unique_ptr<RpcServer>> Start(const std::string& address, std::vector<ServedService> services);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  /// The port actually bound.
  int port() const { return port_; }
  /// Health turns NOT_SERVING, new calls are refused, calls in flight get up to `grace` to finish.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  RpcServer(std::vector<ServedService> services, std::unique_ptr<grpc::Server> server, int port);

  std::vector<ServedService> services_;  // outlive server_, which calls into them
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

}  // namespace minitok::rpc
