#include "libs/rpc/server_call.h"

namespace minitok::rpc {

grpc::Status Dispatcher::Reply(const Status& status, const CallContext& call) {
  if (!status.ok() && status.error().code == Code::kInternal) {
    logger_.Error("gRPC call" + (call.request_id.empty() ? "" : " for request " + call.request_id) +
                  " failed: " + status.error().detail);
  }
  return ToGrpcStatus(status);
}

}  // namespace minitok::rpc
