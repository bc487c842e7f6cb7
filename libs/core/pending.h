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

 private:
  std::optional<Result<T>> ready_;
  std::function<Result<T>()> wait_;
};

}  // namespace minitok
