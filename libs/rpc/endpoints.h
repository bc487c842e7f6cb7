#pragma once
// Where a service's instances are: fed by discovery (etcd, or static --peers), read by the gRPC
// clients. Free of gRPC headers, so that discovery and the composition root need none.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace minitok::rpc {

class EndpointSink {
 public:
  virtual ~EndpointSink() = default;
  /// The complete set of live instances' addresses ("HOST:PORT"), replacing the previous set.
  virtual void SetEndpoints(std::vector<std::string> addresses) = 0;
  /// Whether some instance answers its health check as serving within `wait`. Blocks.
  virtual bool AnyServing(std::chrono::milliseconds wait) = 0;
};

/// A client for the remote instances of a service, and where discovery tells it they are.
template <class Interface>
struct RemoteService {
  std::unique_ptr<Interface> client;
  EndpointSink* instances = nullptr;  ///< owned by `client`
};

/// The RemoteService of a client adapter: `Client` implements `Interface` and owns the
/// EndpointSink its `instances()` returns.
template <class Interface, class Client>
RemoteService<Interface> MakeRemoteService() {
  auto client = std::make_unique<Client>();
  EndpointSink* instances = &client->instances();
  return {std::move(client), instances};
}

}  // namespace minitok::rpc
