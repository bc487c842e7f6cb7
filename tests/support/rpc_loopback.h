#pragma once
// A service adapter served on a loopback port and a client pointed at it, for the adapter-pair
// tests in rpc/<service>/: whatever the client is asked crosses a real gRPC connection.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "libs/concurrency/thread_pool.h"
#include "libs/log/logger.h"
#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "libs/rpc/server_call.h"

namespace minitok::testing {

template <class Interface>
class RpcLoopback {
 public:
  /// `serve(dispatcher)` makes the server adapter; `connect()` the client adapter.
  template <class Serve, class Connect>
  RpcLoopback(Serve&& serve, Connect&& connect) {
    auto server = rpc::RpcServer::Start("127.0.0.1:0", {serve(dispatcher_)});
    EXPECT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    address_ = "127.0.0.1:" + std::to_string(server_->port());
    remote_ = connect();
    remote_.instances->SetEndpoints({address_});
  }
  ~RpcLoopback() { server_->Shutdown(std::chrono::milliseconds(0)); }

  Interface& client() { return *remote_.client; }
  rpc::EndpointSink& instances() { return *remote_.instances; }
  const std::string& address() const { return address_; }

 private:
  concurrency::ThreadPool workers_{{.name = "rpc-test", .threads = 2}};
  log::Logger logger_;
  rpc::Dispatcher dispatcher_{workers_, logger_};
  std::unique_ptr<rpc::RpcServer> server_;
  std::string address_;
  rpc::RemoteService<Interface> remote_;
};

}  // namespace minitok::testing
