#pragma once
// One unary call from a client adapter: picks an instance, sets the deadline and metadata from
// the caller's CallScope, and turns the outcome into minitok's errors. A read that finds its
// instance unavailable is tried once more on another; a write never is (it may have happened).

#include <cstdint>
#include <string_view>

#include "libs/core/non_blocking.h"
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
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) instances.Unreachable(instance);
    const bool retry = attempt == 0 && spec.kind == CallKind::kRead &&
                       status.error_code() == grpc::StatusCode::UNAVAILABLE && instances.size() > 1;
    if (!retry) return FromGrpcStatus(status, spec.service);
    unavailable_address = instance->address;
  }
}

}  // namespace minitok::rpc
