#pragma once
// A result that may still be on its way: a service's batched lookup started now and collected
// later, so that a caller can have several services' lookups in flight at once. An in-process
// service answers at once (a Pending holding its result); a remote one returns a Pending whose
// Get() waits for the answer on the caller's thread (no thread per call).

#include <functional>
#include <optional>
#include <utility>

#include "libs/core/result.h"

namespace minitok {

template <class T>
class [[nodiscard]] Pending {
 public:
  Pending(Result<T> ready) : ready_(std::move(ready)) {}  // NOLINT: an answer already here
  Pending(T value) : ready_(std::move(value)) {}          // NOLINT
  /// `wait` blocks until the answer is in. Dropping the Pending without Get() must abandon the
  /// call cleanly (whatever `wait` holds is destroyed then).
  explicit Pending(std::function<Result<T>()> wait) : wait_(std::move(wait)) {}

  Result<T> Get() && {
    if (wait_) return std::exchange(wait_, nullptr)();
    return std::move(*ready_);
  }

  /// The answer passed through `then(Result<T>) -> Result<U>` once it is in (at once if it is).
  template <class U, class Convert>
  Pending<U> Then(Convert then) && {
    if (!wait_) return Pending<U>(then(std::move(*ready_)));
    return Pending<U>(std::function<Result<U>()>(
        [wait = std::move(wait_), then = std::move(then)]() mutable { return then(wait()); }));
  }

 private:
  std::optional<Result<T>> ready_;
  std::function<Result<T>()> wait_;
};

}  // namespace minitok
