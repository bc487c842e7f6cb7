#pragma once
// One unary call from a client adapter: picks an instance, sets the deadline and metadata from
// the caller's CallScope, and turns the outcome into minitok's errors. A read that finds its
// instance unavailable is tried once more on another; a write only when it never left (it may
// have happened otherwise).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include <grpcpp/completion_queue.h>
#include <grpcpp/support/async_unary_call.h>

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

/// One call in flight on its own completion queue, which the waiting thread polls itself.
template <class Instance, class Response>
struct AsyncAttempt {
  std::shared_ptr<const Instance> instance;
  grpc::ClientContext context;
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
  Response response;
  grpc::Status status;
  bool in_flight = false;

  void Wait() {
    void* tag = nullptr;
    bool ok = false;
    if (in_flight && queue.Next(&tag, &ok)) in_flight = false;
  }
  ~AsyncAttempt() {
    // Abandoned before its answer came (the caller met another error first): cancel, then drain,
    // as gRPC requires of a queue before it goes.
    if (in_flight) {
      context.TryCancel();
      Wait();
    }
    queue.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
    }
  }
};

template <class Reader>
struct AsyncResponseOf;
template <class Response>
struct AsyncResponseOf<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>> {
  using type = Response;
};

/// CallUnary started now and finished by the returned Pending's Get(), so that the caller can have
/// several calls in flight at once without a thread for each. `start(stub, context, queue)`
/// starts the call (the generated Async method) and returns its reader; `convert(response)` makes
/// the Result<T>. Both are kept for the one retry a read may get.
template <class T, class Service, class Start, class Convert>
Pending<T> StartUnary(Balancer<Service>& instances, const CallSpec& spec, Start start, Convert convert) {
  if (NonBlockingScope::RefuseBlocking()) return Pending<T>(NetworkRefusedOnEventLoop());
  using Instance = typename Balancer<Service>::Instance;
  using Reader = std::invoke_result_t<Start&, typename Service::Stub&, grpc::ClientContext&, grpc::CompletionQueue&>;
  using Attempt = AsyncAttempt<Instance, typename AsyncResponseOf<Reader>::type>;
  const auto begin = [&instances, spec, start](std::string_view avoid) -> std::shared_ptr<Attempt> {
    auto instance = instances.Pick(avoid);
    if (!instance) return nullptr;
    auto attempt = std::make_shared<Attempt>();
    attempt->instance = std::move(instance);
    PrepareClientContext(attempt->context, spec.acting_user);
    attempt->reader = start(*attempt->instance->stub, attempt->context, attempt->queue);
    attempt->reader->Finish(&attempt->response, &attempt->status, attempt.get());
    attempt->in_flight = true;
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
