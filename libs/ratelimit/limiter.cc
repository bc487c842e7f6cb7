#include "libs/ratelimit/limiter.h"

#include <condition_variable>
#include <memory>
#include <mutex>

namespace minitok::ratelimit {

Verdict Limiter::DecideAndWait(std::vector<Check> checks) {
  struct Waiter {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Verdict> verdict;
  };
  if (auto now = TryDecide(checks)) return *now;
  auto waiter = std::make_shared<Waiter>();
  DecideLater(std::move(checks), [waiter](Verdict verdict) {
    {
      const std::lock_guard lock(waiter->mutex);
      waiter->verdict = verdict;
    }
    waiter->done.notify_one();
  });
  std::unique_lock lock(waiter->mutex);
  waiter->done.wait(lock, [&] { return waiter->verdict.has_value(); });
  return *waiter->verdict;
}

}  // namespace minitok::ratelimit
