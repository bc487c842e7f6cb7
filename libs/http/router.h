#pragma once
// Maps method + path to a handler and says where it runs (which pool). Built once at start,
// read-only afterwards, so lookups need no lock.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "libs/http/message.h"

namespace minitok::http {

/// Where a handler runs: on the event loop (only for work that never blocks: a starting handler
/// there may start remote calls, whose answers continue elsewhere), on the worker pool (SQL,
/// files, ffprobe), or on the small low-priority password-hashing pool.
enum class Executor { kEventLoop, kWorker, kHashing };

using Handler = std::function<Response(Request&)>;
/// Takes a request's answer: called once, from any thread.
using Reply = std::function<void(Response)>;
/// A handler that starts its work and may return before the answer is in: its service calls
/// answer on other threads and the last of them calls `reply`. The request lives until then.
using StartingHandler = std::function<void(Request&, Reply)>;

/// The answer of `start(reply)`, waited for on this thread (at once when it replied before returning).
Response RespondNow(const std::function<void(Reply)>& start);

/// Whether a request is served at all (rate limits): refused now, admitted now, or decided later
/// by a check that waits on another server (limits shared through Redis).
struct Admission {
  /// Decided now: refused with this answer (nullopt, with no `decide_later`: admitted).
  std::optional<Response> refusal;
  /// Decided later: called once with a completion, which is called once, from any thread, with
  /// the refusal or nullopt.
  std::function<void(std::function<void(std::optional<Response>)>)> decide_later;
};

struct Route {
  std::string pattern;  ///< for the access log, e.g. "/douyin/feed"
  std::vector<Method> methods;
  Handler handler;
  /// Set instead of `handler`: the request holds its pool's thread only until the handler
  /// returns, not while its service calls are out.
  StartingHandler start;
  Executor executor = Executor::kWorker;
  /// Multipart bodies of this route stream their file part to disk (up to the upload limit)
  /// instead of being held in memory (up to the body limit).
  bool streams_upload = false;
  /// Tried on the event loop before the hop to `executor`: an answer that needs no blocking
  /// work (a cache hit) is returned at once. Must never block.
  std::function<std::optional<Response>(Request&)> fast_path;
  /// Runs on the event loop (must never block) before the fast path and the handler; for a route
  /// that streams uploads, before the body is read, so it sees the headers and the query only.
  /// Unset: every request is admitted.
  std::function<Admission(const Request&)> admit;
};

struct RouteMatch {
  const Route* route = nullptr;
  bool method_allowed = false;
};

class Router {
 public:
  /// Exact path; "/a/b" and "/a/b/" are the same route.
  void Add(Route route);
  /// Every path starting with `prefix` (longest prefix wins) not matched exactly.
  void AddPrefix(Route route);
  RouteMatch Match(Method method, std::string_view path) const;

 private:
  static std::string_view Normalize(std::string_view path);

  std::unordered_map<std::string, Route> exact_;
  std::vector<Route> prefixes_;
};

}  // namespace minitok::http
