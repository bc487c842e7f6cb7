#pragma once
// What travels with every service call, in-process and over the wire: how long the caller will
// wait, which request it serves and which trace it belongs to. The gateway opens a CallScope for
// each request it runs; the gRPC client adapters read it to set the call's deadline and metadata,
// and the gRPC server adapters open one for the implementation they call, so that a service that
// calls another passes it on unchanged.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace minitok {

struct CallContext {
  /// When the caller stops waiting; none = the callee's own default applies.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string request_id;
  /// W3C trace context ("00-<trace id>-<span id>-<flags>"), empty when none.
  std::string traceparent;
};

/// Whether `text` is a W3C traceparent of version 00 ("00-" 32 hex "-" 16 hex "-" 2 hex, ids not
/// all zero): only such a value from a client is passed on.
bool IsTraceparent(std::string_view text);

/// Makes `context` current on this thread until the scope ends (scopes nest).
class CallScope {
 public:
  explicit CallScope(CallContext context);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  /// The innermost open scope's context on this thread, or null outside any scope.
  static const CallContext* Current();

 private:
  CallContext context_;
  CallScope* outer_;
};

}  // namespace minitok
