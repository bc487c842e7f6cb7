#include "libs/rpc/client_call.h"

#include <string>

namespace minitok::rpc {

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  // A dead peer is noticed within seconds even when no call is in flight.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // A restarted instance is reconnected to quickly rather than after gRPC's default 20 s backoff.
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

Error NoInstance(std::string_view service) {
  return MakeError(Code::kUnavailable, "the service is busy or unavailable, please try again",
                   "no instance of the " + std::string(service) + " service is known");
}

Error NetworkRefusedOnEventLoop() { return MakeError(Code::kWouldBlock, "a remote call cannot run on an event loop"); }

}  // namespace minitok::rpc
