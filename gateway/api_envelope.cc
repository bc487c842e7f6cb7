#include "gateway/api_envelope.h"

namespace minitok::gateway {

int StatusCodeOf(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 10001;
    case Code::kUnauthenticated: return 10002;
    case Code::kPermissionDenied: return 10003;
    case Code::kNotFound: return 10004;
    case Code::kAlreadyExists: return 10005;
    case Code::kResourceExhausted: return 10006;
    case Code::kFailedPrecondition: return 10007;
    case Code::kUnavailable:
    case Code::kWouldBlock: return 10503;
    case Code::kInternal: return 10500;
  }
  return 10500;
}

http::Response ApiError(const Error& error, const std::function<void(json::JsonWriter&)>& extra) {
  json::JsonWriter body;
  const int status_code = StatusCodeOf(error.code);
  body.BeginObject().Member("status_code", status_code).Member("status_msg", error.message);
  if (extra) extra(body);
  body.EndObject();
  http::Response response;
  response.body = body.Take();
  response.api_status = status_code;
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

json::JsonWriter BeginOk() {
  json::JsonWriter body;
  body.BeginObject().Member("status_code", 0).Member("status_msg", "ok");
  return body;
}

http::Response ApiOk(json::JsonWriter&& body) {
  body.EndObject();
  http::Response response;
  response.body = body.Take();
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace minitok::gateway
