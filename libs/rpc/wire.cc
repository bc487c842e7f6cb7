#include "libs/rpc/wire.h"

#include <string>

#include "libs/core/numbers.h"

namespace minitok::rpc {
namespace {

std::string_view Text(grpc::string_ref value) { return {value.data(), value.size()}; }

std::string_view Metadata(const grpc::ServerContextBase& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find(grpc::string_ref(key.data(), key.size()));
  return found == metadata.end() ? std::string_view{} : Text(found->second);
}

}  // namespace

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const Error& error = status.error();
  switch (error.code) {
    case Code::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, error.message};
    case Code::kUnauthenticated: return {grpc::StatusCode::UNAUTHENTICATED, error.message};
    case Code::kPermissionDenied: return {grpc::StatusCode::PERMISSION_DENIED, error.message};
    case Code::kNotFound: return {grpc::StatusCode::NOT_FOUND, error.message};
    case Code::kAlreadyExists: return {grpc::StatusCode::ALREADY_EXISTS, error.message};
    case Code::kResourceExhausted: return {grpc::StatusCode::RESOURCE_EXHAUSTED, error.message};
    case Code::kFailedPrecondition: return {grpc::StatusCode::FAILED_PRECONDITION, error.message};
    case Code::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, error.message};
    case Code::kInternal:
    case Code::kWouldBlock:  // only a server bug could send it: a refused attempt is retried locally
      break;
  }
  return {grpc::StatusCode::INTERNAL, InternalError({}).message};
}

Error FromGrpcStatus(const grpc::Status& status, std::string_view service) {
  const std::string detail = std::string(service) + " service: " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: return MakeError(Code::kInvalidArgument, status.error_message());
    case grpc::StatusCode::UNAUTHENTICATED: return MakeError(Code::kUnauthenticated, status.error_message());
    case grpc::StatusCode::PERMISSION_DENIED: return MakeError(Code::kPermissionDenied, status.error_message());
    case grpc::StatusCode::NOT_FOUND: return MakeError(Code::kNotFound, status.error_message());
    case grpc::StatusCode::ALREADY_EXISTS: return MakeError(Code::kAlreadyExists, status.error_message());
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return MakeError(Code::kResourceExhausted, status.error_message());
    case grpc::StatusCode::FAILED_PRECONDITION: return MakeError(Code::kFailedPrecondition, status.error_message());
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      // Said the same way whether the service is down, overloaded or slow: the client's move is
      // the same (try again later), and the log has the difference.
      return MakeError(Code::kUnavailable, "the service is busy or unavailable, please try again", detail);
    default: return InternalError(detail);
  }
}

void PrepareClientContext(grpc::ClientContext& context, std::int64_t acting_user) {
  const auto now = std::chrono::steady_clock::now();
  auto deadline = now + kDefaultDeadline;
  if (const CallContext* call = CallScope::Current()) {
    if (call->deadline) deadline = *call->deadline;
    if (!call->request_id.empty()) context.AddMetadata(std::string(kRequestIdKey), call->request_id);
    if (!call->traceparent.empty()) context.AddMetadata(std::string(kTraceparentKey), call->traceparent);
  }
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - now));
  if (acting_user != 0) context.AddMetadata(std::string(kActingUserKey), std::to_string(acting_user));
}

CallContext ReadCallContext(const grpc::ServerContextBase& context) {
  CallContext call;
  const auto system_deadline = context.deadline();
  // gRPC reports "no deadline" as the largest time point.
  if (system_deadline < std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    call.deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        system_deadline - std::chrono::system_clock::now());
  }
  call.request_id = std::string(Metadata(context, kRequestIdKey));
  call.traceparent = std::string(Metadata(context, kTraceparentKey));
  return call;
}

Result<std::int64_t> ReadActingUser(const grpc::ServerContextBase& context) {
  const std::string_view text = Metadata(context, kActingUserKey);
  if (text.empty()) return std::int64_t{0};
  const auto user = ParseExactInteger(text);
  if (!user || *user <= 0) return MakeError(Code::kInvalidArgument, "malformed acting user in the call's metadata");
  return *user;
}

}  // namespace minitok::rpc
