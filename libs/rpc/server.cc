#include "libs/rpc/server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

namespace minitok::rpc {

Result<std::unique_ptr<RpcServer>> RpcServer::Start(const std::string& address, std::vector<ServedService> services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  // gRPC would let a second process bind the same port (SO_REUSEPORT) and share its calls: a port
  // in use must be an error, as it is for HTTP.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  for (const auto& served : services) builder.RegisterService(served.service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return MakeError(Code::kUnavailable, "cannot serve gRPC on " + address + " (address in use or not local?)");
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  for (const auto& served : services) health->SetServingStatus(served.name, true);
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(services), std::move(server), port));
}

RpcServer::RpcServer(std::vector<ServedService> services, std::unique_ptr<grpc::Server> server, int port)
    : services_(std::move(services)), server_(std::move(server)), port_(port) {}

RpcServer::~RpcServer() { Shutdown(std::chrono::milliseconds(0)); }

void RpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

}  // namespace minitok::rpc
