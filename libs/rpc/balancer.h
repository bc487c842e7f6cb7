#pragma once
// The instances of one service a client may call, round-robin. Each instance keeps its channel
// and stub while it stays in the set, so a discovery update that re-lists it costs nothing and
// its open HTTP/2 connection goes on serving.

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "libs/rpc/endpoints.h"

namespace minitok::rpc {

/// A channel to `address` with the options every minitok client uses.
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address);

/// `Service` is a generated service class (its Stub and NewStub).
template <class Service>
class Balancer final : public EndpointSink {
 public:
  struct Instance {
    std::string address;
    std::unique_ptr<typename Service::Stub> stub;
  };

  void SetEndpoints(std::vector<std::string> addresses) override {
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    std::vector<std::shared_ptr<const Instance>> next;
    std::lock_guard lock(mutex_);
    for (auto& address : addresses) {
      const auto kept = std::find_if(instances_.begin(), instances_.end(),
                                     [&](const auto& instance) { return instance->address == address; });
      if (kept != instances_.end()) {
        next.push_back(*kept);
      } else {
        auto stub = Service::NewStub(OpenChannel(address));
        next.push_back(std::make_shared<const Instance>(Instance{std::move(address), std::move(stub)}));
      }
    }
    instances_ = std::move(next);
  }

  /// The next instance in turn, other than `avoid` when there is another; null when none is known.
  std::shared_ptr<const Instance> Pick(std::string_view avoid = {}) {
    std::lock_guard lock(mutex_);
    if (instances_.empty()) return nullptr;
    for (std::size_t tries = 0; tries < instances_.size(); ++tries) {
      const auto& instance = instances_[next_++ % instances_.size()];
      if (instance->address != avoid) return instance;
    }
    return instances_.front();
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return instances_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<const Instance>> instances_;
  std::size_t next_ = 0;
};

}  // namespace minitok::rpc
