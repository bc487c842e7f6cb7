#include "libs/http/router.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace minitok::http {

Response RespondNow(const std::function<void(Reply)>& start) {
  // On this thread's stack: nothing is allocated when the reply comes before start returns (an
  // in-process answer), and the wait below keeps it alive for a reply from another thread.
  struct Waiting {
    std::mutex mutex;
    std::condition_variable replied;
    std::optional<Response> response;
  } waiting;
  start([&waiting](Response response) {
    std::lock_guard lock(waiting.mutex);
    waiting.response.emplace(std::move(response));
    waiting.replied.notify_one();
  });
  std::unique_lock lock(waiting.mutex);
  waiting.replied.wait(lock, [&waiting] { return waiting.response.has_value(); });
  return std::move(*waiting.response);
}

std::string_view Router::Normalize(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

void Router::Add(Route route) {
  const std::string key(Normalize(route.pattern));
  exact_[key] = std::move(route);
}

void Router::AddPrefix(Route route) {
  prefixes_.push_back(std::move(route));
  std::sort(prefixes_.begin(), prefixes_.end(),
            [](const Route& a, const Route& b) { return a.pattern.size() > b.pattern.size(); });
}

RouteMatch Router::Match(Method method, std::string_view path) const {
  const Route* route = nullptr;
  if (const auto found = exact_.find(std::string(Normalize(path))); found != exact_.end()) {
    route = &found->second;
  } else {
    for (const auto& candidate : prefixes_) {
      if (path.substr(0, candidate.pattern.size()) == candidate.pattern) {
        route = &candidate;
        break;
      }
    }
  }
  if (route == nullptr) return {};
  const bool allowed =
      std::find(route->methods.begin(), route->methods.end(), method) != route->methods.end();
  return {route, allowed};
}

}  // namespace minitok::http
