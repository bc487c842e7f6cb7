#pragma once
// The user service over gRPC (api/minitok/user/v1/user.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/user/user_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::user {

/// Serves `service` (which must outlive it): profiles through `dispatcher`, registrations and
/// logins (slow password hashing) through `hashing`, so that a login flood cannot take the workers.
rpc::ServedService ServeUserOverGrpc(UserService& service, rpc::Dispatcher& dispatcher, rpc::Dispatcher& hashing);
/// A UserService whose calls go to remote instances.
rpc::RemoteService<UserService> UserGrpcClient();

}  // namespace minitok::user
