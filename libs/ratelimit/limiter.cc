#include "libs/ratelimit/limiter.h"

#include <future>
#include <memory>

namespace minitok::ratelimit {

Verdict Limiter::DecideAndWait(std::vector<Check> checks) {
  if (auto now = TryDecide(checks)) return *now;
  auto verdict = std::make_shared<std::promise<Verdict>>();
  auto arrived = verdict->get_future();
  DecideLater(std::move(checks), [verdict](Verdict decided) { verdict->set_value(decided); });
  return arrived.get();
}

}  // namespace minitok::ratelimit
