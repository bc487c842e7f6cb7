#pragma once
// The comment service over gRPC (api/minitok/comment/v1/comment.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/comment/comment_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::comment {

/// Serves `service` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeCommentOverGrpc(CommentService& service, rpc::Dispatcher& dispatcher);
/// A CommentService whose calls go to remote instances.
rpc::RemoteService<CommentService> CommentGrpcClient();

}  // namespace minitok::comment
