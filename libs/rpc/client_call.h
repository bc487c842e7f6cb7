#pragma once
// One unary call from a client adapter: picks an instance, sets the deadline and metadata from
// the caller's CallScope, and turns the outcome into minitok's errors. A read that finds its
// instance unavailable is tried once more on another; a write only when it never left (it may
// have happened otherwise).

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "libs/concurrency/coalescer.h"
#include "libs/core/non_blocking.h"
#include "libs/core/pending.h"
#include "libs/core/result.h"
#include "libs/rpc/balancer.h"
#include "libs/rpc/wire.h"

namespace minitok::rpc {

enum class CallKind { kRead, kWrite };

struct CallSpec {
  std::string_view service;  ///< for messages and the log: "favorite"
  CallKind kind = CallKind::kRead;
  std::int64_t acting_user = 0;
};

Error NoInstance(std::string_view service);
Error NetworkRefusedOnEventLoop();

/// Whether `status` says the call never ran at its instance: no connection could be made (gRPC's
/// own words, unchanged across its versions), or the process there does not serve this service
/// (UNIMPLEMENTED: an instance that died is listed until its lease runs out, and another process
/// may have been given its port since). Even a write may then go elsewhere.
bool NeverRan(const grpc::Status& status);

/// Whether a first attempt that ended in `status` is tried once more on another instance: a read
/// that found its instance unavailable, or any call that never ran there. Marks the instance
/// unreachable.
template <class Service, class Instance>
bool TryAnother(Balancer<Service>& instances, const CallSpec& spec, const std::shared_ptr<Instance>& instance,
                const grpc::Status& status) {
  const bool never_ran = NeverRan(status);
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE && !never_ran) return false;
  instances.Unreachable(instance);
  return (spec.kind == CallKind::kRead || never_ran) && instances.size() > 1;
}

/// `invoke(stub, context)` makes the call and returns its grpc::Status.
template <class Service, class Invoke>
Status CallUnary(Balancer<Service>& instances, const CallSpec& spec, Invoke&& invoke) {
  // A network round trip is blocking work: an attempt on an event loop goes to a worker instead.
  if (NonBlockingScope::RefuseBlocking()) return NetworkRefusedOnEventLoop();
  std::string unavailable_address;
  for (int attempt = 0;; ++attempt) {
    const auto instance = instances.Pick(unavailable_address);
    if (!instance) return NoInstance(spec.service);
    grpc::ClientContext context;
    PrepareClientContext(context, spec.acting_user);
    const grpc::Status status = invoke(*instance->stub, context);
    if (status.ok()) return Ok();
    if (attempt > 0 || !TryAnother(instances, spec, instance, status)) return FromGrpcStatus(status, spec.service);
    unavailable_address = instance->address;
  }
}

/// One call in flight, answered on one of gRPC's own threads (its callback API): no completion
/// queue per call, and the waiting thread sleeps until the answer is in.
template <class Instance, class Request, class Response>
struct CallbackAttempt {
  std::shared_ptr<const Instance> instance;
  grpc::ClientContext context;
  Request request;
  Response response;
  grpc::Status status;
  std::mutex mutex;
  std::condition_variable answered;
  bool in_flight = true;

  void Finished(grpc::Status outcome) {
    std::lock_guard lock(mutex);
    status = std::move(outcome);
    in_flight = false;
    answered.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex);
    answered.wait(lock, [this] { return !in_flight; });
  }
  ~CallbackAttempt() {
    // Abandoned before its answer came (the caller met another error first): cancel, then wait
    // for gRPC's callback, which still refers to this attempt.
    bool out = false;
    {
      std::lock_guard lock(mutex);
      out = in_flight;
    }
    if (out) {
      context.TryCancel();
      Wait();
    }
  }
};

template <class Convert>
struct ResponseOf : ResponseOf<decltype(&Convert::operator())> {};
template <class Result, class Lambda, class Response>
struct ResponseOf<Result (Lambda::*)(const Response&) const> {
  using type = Response;
};

/// CallUnary started now and finished by the returned Pending's Get(), so that the caller can have
/// several calls in flight at once without a thread for each. `start(stub, context, request,
/// response, done)` starts the call (the generated method of the stub's async()) with `done` as
/// its callback; `convert(response)` makes the Result<T>. Both are kept for the one retry a read
/// may get.
template <class T, class Service, class Request, class Start, class Convert>
Pending<T> StartUnary(Balancer<Service>& instances, const CallSpec& spec, Request request, Start start,
                      Convert convert) {
  if (NonBlockingScope::RefuseBlocking()) return Pending<T>(NetworkRefusedOnEventLoop());
  using Instance = typename Balancer<Service>::Instance;
  using Attempt = CallbackAttempt<Instance, Request, typename ResponseOf<Convert>::type>;
  const auto begin = [&instances, spec, request = std::move(request),
                      start](std::string_view avoid) -> std::shared_ptr<Attempt> {
    auto instance = instances.Pick(avoid);
    if (!instance) return nullptr;
    auto attempt = std::make_shared<Attempt>();
    attempt->instance = std::move(instance);
    attempt->request = request;
    PrepareClientContext(attempt->context, spec.acting_user);
    start(*attempt->instance->stub, attempt->context, attempt->request, attempt->response,
          [answer = attempt.get()](grpc::Status status) { answer->Finished(std::move(status)); });
    return attempt;
  };
  auto first = begin({});
  if (!first) return Pending<T>(NoInstance(spec.service));
  return Pending<T>(std::function<Result<T>()>([&instances, spec, begin, convert, first]() -> Result<T> {
    first->Wait();
    auto answered = first;
    if (!first->status.ok() && TryAnother(instances, spec, first->instance, first->status)) {
      if (auto second = begin(first->instance->address)) {
        second->Wait();
        if (!second->status.ok()) TryAnother(instances, spec, second->instance, second->status);
        answered = std::move(second);
      }
    }
    if (!answered->status.ok()) return FromGrpcStatus(answered->status, spec.service);
    return convert(answered->response);
  }));
}

/// Concurrent callers' lookups of one kind by ids, merged into one call each time
/// (libs/concurrency/coalescer.h): under load a page's lookups share their calls with the other
/// pages being served.
template <class Record>
using MergedLookup = concurrency::Coalescer<std::vector<std::int64_t>, std::vector<Record>>;

/// One viewer's lookup by ids, where the viewer only chooses per-viewer flags of the answer.
struct ViewerQuery {
  std::int64_t viewer = 0;
  std::vector<std::int64_t> ids;
};
template <class Record>
using MergedViewerLookup = concurrency::Coalescer<ViewerQuery, std::vector<Record>>;

/// Merged calls of one kind that may be out at once: one per instance (measured against two with
/// bench/load's split phase: larger batches, slightly more pages per second).
inline constexpr std::size_t kMergedCallsPerInstance = 1;
template <class Service>
std::function<std::size_t()> MergedCallSlots(Balancer<Service>& instances) {
  return [&instances] { return kMergedCallsPerInstance * instances.size(); };
}

/// The records of `ids` through `lookup`; no ids asks nothing. Refused on an event loop before it
/// joins a call: its answer is collected by a blocking wait, and a refusal must not become the
/// answer of the other callers sharing the call.
template <class Record>
Pending<std::vector<Record>> LookUp(MergedLookup<Record>& lookup, std::span<const std::int64_t> ids) {
  if (ids.empty()) return std::vector<Record>{};
  if (NonBlockingScope::RefuseBlocking()) return Pending<std::vector<Record>>(NetworkRefusedOnEventLoop());
  return lookup.Add(std::vector<std::int64_t>(ids.begin(), ids.end()));
}
template <class Record>
Pending<std::vector<Record>> LookUp(MergedViewerLookup<Record>& lookup, std::span<const std::int64_t> ids,
                                    std::int64_t viewer) {
  if (ids.empty()) return std::vector<Record>{};
  if (NonBlockingScope::RefuseBlocking()) return Pending<std::vector<Record>>(NetworkRefusedOnEventLoop());
  return lookup.Add(ViewerQuery{.viewer = viewer, .ids = std::vector<std::int64_t>(ids.begin(), ids.end())});
}

}  // namespace minitok::rpc
