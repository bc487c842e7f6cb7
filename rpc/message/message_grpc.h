#pragma once
// The message service over gRPC (api/minitok/message/v1/message.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/message/message_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::message {

/// Serves `service` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeMessageOverGrpc(MessageService& service, rpc::Dispatcher& dispatcher);
/// A MessageService whose calls go to remote instances.
rpc::RemoteService<MessageService> MessageGrpcClient();

}  // namespace minitok::message
