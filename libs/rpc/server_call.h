#pragma once
// How the gRPC server adapters run a call: a read is first tried on gRPC's own thread inside a
// NonBlockingScope (answered at once when its data is cached); anything that must block (SQL,
// ffprobe, a call to another service) makes one hop to the worker pool, as an HTTP request does.
// The implementation runs inside a CallScope with the caller's deadline, request id and trace.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "libs/concurrency/thread_pool.h"
#include "libs/core/call_context.h"
#include "libs/core/non_blocking.h"
#include "libs/log/logger.h"
#include "libs/rpc/wire.h"

namespace minitok::rpc {

enum class Work { kRead, kWrite };

class Dispatcher {
 public:
  Dispatcher(concurrency::ThreadPool& workers, log::Logger& logger) : workers_(workers), logger_(logger) {}

  /// `handler(acting_user)` calls the implementation, fills the response and returns its Status.
  template <class Handler>
  grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* context, Work work, Handler handler) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    auto acting_user = ReadActingUser(*context);
    if (!acting_user.ok()) {
      reactor->Finish(ToGrpcStatus(acting_user.error()));
      return reactor;
    }
    CallContext call = ReadCallContext(*context);
    if (work == Work::kRead) {
      NonBlockingScope on_grpc_thread;
      CallScope scope(call);
      const Status status = handler(*acting_user);
      if (!on_grpc_thread.refused()) {
        reactor->Finish(Reply(status, call));
        return reactor;
      }
    }
    const bool queued = workers_.TrySubmit(
        [this, reactor, user = *acting_user, call = std::move(call), handler = std::move(handler)]() mutable {
          if (call.deadline && std::chrono::steady_clock::now() > *call.deadline) {
            reactor->Finish({grpc::StatusCode::DEADLINE_EXCEEDED, "the deadline passed while the call was queued"});
            return;
          }
          CallScope scope(call);
          const Status status = handler(user);
          reactor->Finish(Reply(status, call));
        });
    if (!queued) reactor->Finish({grpc::StatusCode::UNAVAILABLE, "the server is busy, please try again"});
    return reactor;
  }

 private:
  /// The status to send; logs an internal error's detail, which stays on this side.
  grpc::Status Reply(const Status& status, const CallContext& call);

  concurrency::ThreadPool& workers_;
  log::Logger& logger_;
};

}  // namespace minitok::rpc
