#pragma once
// The instances of one service a client may call, round-robin. Each instance keeps its channel
// and stub while it stays in the set, so a discovery update that re-lists it costs nothing and
// its open HTTP/2 connection goes on serving.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "libs/rpc/endpoints.h"

namespace minitok::rpc {

/// A channel to `address` with the options every minitok client uses.
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address);
/// Whether `service` (its full name) answers the standard health check as SERVING by `deadline`.
bool Serving(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
             std::chrono::system_clock::time_point deadline);

/// `Service` is a generated service class (its Stub and NewStub).
template <class Service>
class Balancer final : public EndpointSink {
 public:
  struct Instance {
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<typename Service::Stub> stub;
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  };

  /// Held by each call while it is out: the callbacks of calls still out refer to this balancer,
  /// whose destruction waits for them.
  class CallOut {
   public:
    explicit CallOut(Balancer& balancer) : balancer_(&balancer) {
      std::lock_guard lock(balancer_->mutex_);
      ++balancer_->calls_out_;
    }
    CallOut(CallOut&& other) noexcept : balancer_(std::exchange(other.balancer_, nullptr)) {}
    CallOut(const CallOut&) = delete;
    CallOut& operator=(const CallOut&) = delete;
    CallOut& operator=(CallOut&&) = delete;
    ~CallOut() {
      if (balancer_ == nullptr) return;
      std::lock_guard lock(balancer_->mutex_);
      if (--balancer_->calls_out_ == 0) balancer_->no_calls_out_.notify_all();
    }

   private:
    Balancer* balancer_;
  };

  Balancer() = default;
  ~Balancer() override {
    std::unique_lock lock(mutex_);
    no_calls_out_.wait(lock, [this] { return calls_out_ == 0; });
  }
  Balancer(const Balancer&) = delete;
  Balancer& operator=(const Balancer&) = delete;

  CallOut Out() { return CallOut(*this); }

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
        next.push_back(Open(std::move(address)));
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

  /// `instance` could not be reached: the next call gets a new channel to it, at most once a second.
  /// gRPC would otherwise wait out its reconnection backoff (seen here: 10 to 20 s) even after
  /// the instance came back; a fresh channel connects at once.
  void Unreachable(const std::shared_ptr<const Instance>& instance) {
    std::lock_guard lock(mutex_);
    const auto found = std::find(instances_.begin(), instances_.end(), instance);
    if (found == instances_.end() || std::chrono::steady_clock::now() - instance->opened < std::chrono::seconds(1)) {
      return;
    }
    *found = Open(instance->address);
  }

  bool AnyServing(std::chrono::milliseconds wait) override {
    std::vector<std::shared_ptr<const Instance>> instances;
    {
      std::lock_guard lock(mutex_);
      instances = instances_;
    }
    const auto deadline = std::chrono::system_clock::now() + wait;
    const std::string name(Service::service_full_name());
    bool serving = false;
    for (const auto& instance : instances) {
      if (Serving(instance->channel, name, deadline)) {
        serving = true;
      } else {
        Unreachable(instance);
      }
    }
    return serving;
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return instances_.size();
  }

 private:
  static std::shared_ptr<const Instance> Open(std::string address) {
    auto channel = OpenChannel(address);
    auto stub = Service::NewStub(channel);
    return std::make_shared<const Instance>(Instance{std::move(address), std::move(channel), std::move(stub)});
  }

  std::mutex mutex_;
  std::condition_variable no_calls_out_;
  std::size_t calls_out_ = 0;
  std::vector<std::shared_ptr<const Instance>> instances_;
  std::size_t next_ = 0;
};

}  // namespace minitok::rpc
