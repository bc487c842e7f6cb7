#include "libs/rpc/client_call.h"

#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace minitok::rpc {

std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  // A dead peer is noticed within seconds even when no call is in flight.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // Its own connection: a channel opened again after a failure (Balancer::Unreachable) must not
  // inherit the old one's connection in backoff from gRPC's process-wide pool.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

bool Serving(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
             std::chrono::system_clock::time_point deadline) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(deadline);
  return grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

bool NeverRan(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
         (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
          status.error_message().find("failed to connect") != std::string::npos);
}

Error NoInstance(std::string_view service) {
  return MakeError(Code::kUnavailable, "the service is busy or unavailable, please try again",
                   "no instance of the " + std::string(service) + " service is known");
}

Error NetworkRefusedOnEventLoop() { return MakeError(Code::kWouldBlock, "a remote call cannot run on an event loop"); }

}  // namespace minitok::rpc
