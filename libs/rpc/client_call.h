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

template <class Convert>
struct ResponseOf : ResponseOf<decltype(&Convert::operator())> {};
template <class Result, class Lambda, class Response>
struct ResponseOf<Result (Lambda::*)(const Response&) const> {
  using type = Response;
};

/// CallUnary started now and answered on one of gRPC's own threads (its callback API), so that
/// the caller can have several calls in flight at once without a thread for each, and need not
/// hold one at all while they are out (Pending::OnReady). `start(stub, context, request, response,
/// done)` starts the call (the generated method of the stub's async()) with `done` as its
/// callback; `convert(response)` makes the Result<T>. Both are kept for the one retry a read may
/// get, which leaves from the thread that learnt of the first failure.
template <class T, class Service, class Request, class Start, class Convert>
Pending<T> StartUnary(Balancer<Service>& instances, const CallSpec& spec, Request request, Start start,
                      Convert convert) {
  if (NonBlockingScope::RefuseBlocking()) return NetworkRefusedOnEventLoop();
  using Instance = typename Balancer<Service>::Instance;
  using Response = typename ResponseOf<Convert>::type;
  struct Call {
    Balancer<Service>& instances;
    CallSpec spec;
    Request request;
    Start start;
    Convert convert;
    Promise<T> promise;
    typename Balancer<Service>::CallOut out;
  };
  struct Attempt {
    std::shared_ptr<Call> call;
    std::shared_ptr<const Instance> instance;
    grpc::ClientContext context;
    Response response;
  };
  // Starts an attempt on an instance other than `avoid`; false when there is none. The attempt
  // lives as long as gRPC's callback, which holds it.
  struct Attempts {
    static bool Begin(const std::shared_ptr<Call>& call, std::string_view avoid, bool retry) {
      auto instance = call->instances.Pick(avoid);
      if (!instance) return false;
      auto attempt = std::make_shared<Attempt>();
      attempt->call = call;
      attempt->instance = std::move(instance);
      PrepareClientContext(attempt->context, call->spec.acting_user);
      call->start(*attempt->instance->stub, attempt->context, call->request, attempt->response,
                  [attempt, retry](grpc::Status status) { Finished(*attempt, std::move(status), retry); });
      return true;
    }
    static void Finished(Attempt& attempt, grpc::Status status, bool retry) {
      Call& call = *attempt.call;
      if (status.ok()) {
        call.promise.Deliver(call.convert(attempt.response));
        return;
      }
      if (!retry) {
        TryAnother(call.instances, call.spec, attempt.instance, status);
      } else if (TryAnother(call.instances, call.spec, attempt.instance, status) &&
                 Begin(attempt.call, attempt.instance->address, false)) {
        return;
      }
      call.promise.Deliver(FromGrpcStatus(status, call.spec.service));
    }
  };
  auto call = std::make_shared<Call>(Call{.instances = instances,
                                          .spec = spec,
                                          .request = std::move(request),
                                          .start = std::move(start),
                                          .convert = std::move(convert),
                                          .promise = {},
                                          .out = instances.Out()});
  auto answer = call->promise.GetPending();
  if (!Attempts::Begin(call, {}, true)) return NoInstance(spec.service);
  return answer;
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

/// The records of `ids` through `lookup`; no ids asks nothing. Refused inside a NonBlockingScope
/// (a handler tried on the event loop for an in-process answer, which would then wait for this
/// one) before it joins a call, so that the refusal never becomes the answer of the other callers
/// sharing the call.
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
