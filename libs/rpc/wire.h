#pragma once
// How minitok's errors and call context cross gRPC, in one place for both sides: canonical status
// codes with the user-facing message intact (internal details and kWouldBlock never cross), and
// the metadata that carries the request id, the trace context and the acting user.

#include <cstdint>
#include <string_view>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "libs/core/call_context.h"
#include "libs/core/result.h"

namespace minitok::rpc {

/// Metadata keys (lower case, as HTTP/2 requires).
inline constexpr std::string_view kRequestIdKey = "x-request-id";
inline constexpr std::string_view kTraceparentKey = "traceparent";
/// The user an action is for (or who views a lookup): set by the gateway from a verified token,
/// never taken from a field a client could fill in.
inline constexpr std::string_view kActingUserKey = "minitok-user";

/// Used when the caller set no deadline (a call outside any request).
inline constexpr std::chrono::milliseconds kDefaultDeadline{10000};

/// The status to send for `status`: its code and message; an internal error's detail stays here.
grpc::Status ToGrpcStatus(const Status& status);
/// The error a caller of `service` sees for a failed call: the callee's message when it is one of
/// ours; "unavailable, try again" when the callee could not be reached or did not answer in time.
Error FromGrpcStatus(const grpc::Status& status, std::string_view service);

/// Deadline, request id, trace context (from the current CallScope) and the acting user (0 = none).
void PrepareClientContext(grpc::ClientContext& context, std::int64_t acting_user);
/// The call context a server call carries.
CallContext ReadCallContext(const grpc::ServerContextBase& context);
/// The acting user of a server call; 0 when none was sent, kInvalidArgument when malformed.
Result<std::int64_t> ReadActingUser(const grpc::ServerContextBase& context);

}  // namespace minitok::rpc
