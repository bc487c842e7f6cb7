#pragma once
// The relation service over gRPC (api/minitok/relation/v1/relation.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/relation/relation_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::relation {

/// Serves `service` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeRelationOverGrpc(RelationService& service, rpc::Dispatcher& dispatcher);
/// A RelationService whose calls go to remote instances.
rpc::RemoteService<RelationService> RelationGrpcClient();

}  // namespace minitok::relation
