#pragma once
// The Douyin API envelope: HTTP 200 with status_code (0 = ok) and status_msg. The one place
// where error codes become wire numbers.

#include <functional>

#include "libs/core/result.h"
#include "libs/http/message.h"
#include "libs/json/json_writer.h"

namespace minitok::gateway {

/// The status_code sent for each error code (documented in the README).
int StatusCodeOf(Code code);

/// {"status_code":N,"status_msg":"..."} plus whatever `extra` writes (e.g. "token":"").
http::Response ApiError(const Error& error,
                        const std::function<void(json::JsonWriter&)>& extra = nullptr);

/// Starts a successful body: {"status_code":0,"status_msg":"ok", ... the caller adds members
/// and calls ApiOk to close it.
json::JsonWriter BeginOk();
http::Response ApiOk(json::JsonWriter&& body);

}  // namespace minitok::gateway
