#pragma once
// The favorite service over gRPC (api/minitok/favorite/v1/favorite.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/favorite/favorite_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::favorite {

/// Serves `service` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeFavoriteOverGrpc(FavoriteService& service, rpc::Dispatcher& dispatcher);
/// A FavoriteService whose calls go to remote instances.
rpc::RemoteService<FavoriteService> FavoriteGrpcClient();

}  // namespace minitok::favorite
