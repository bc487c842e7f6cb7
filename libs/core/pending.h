#pragma once
// A result that may still be on its way: a service's batched lookup started now and collected
// later, so that a caller can have several services' lookups in flight at once. An in-process
// service answers at once (a Pending holding its result); a remote one returns a Pending whose
// Promise is kept by the call and kept when its answer arrives.
//
// The answer is collected either by Get(), which waits on the caller's thread, or by OnReady(),
// which continues on the thread that delivers it: a request served that way holds no thread
// while its calls are out.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "libs/core/call_context.h"
#include "libs/core/result.h"

namespace minitok {

template <class T>
class Promise;

namespace pending_detail {

template <class T>
struct Arrival {
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<Result<T>> result;
  std::function<void(Result<T>)> on_ready;
};

}  // namespace pending_detail

template <class T>
class [[nodiscard]] Pending {
 public:
  Pending(Result<T> ready) : ready_(std::move(ready)) {}  // NOLINT: an answer already here
  Pending(std::conditional_t<std::is_void_v<T>, Error, T> value) : ready_(std::move(value)) {}  // NOLINT
  template <class V = T>
    requires(!std::is_void_v<V>)
  Pending(Error error) : ready_(std::move(error)) {}  // NOLINT

  bool ready() const { return ready_.has_value(); }

  /// Waits for the answer on this thread. Never call it on a thread that delivers answers (a
  /// continuation of OnReady): it would wait for itself.
  Result<T> Get() && {
    if (ready_) return std::move(*ready_);
    std::unique_lock lock(arrival_->mutex);
    arrival_->arrived.wait(lock, [this] { return arrival_->result.has_value(); });
    return std::move(*arrival_->result);
  }

  /// Calls `done` once with the answer: at once on this thread when it is in, otherwise on the
  /// thread that delivers it, inside the call context (deadline, request id, trace) current here.
  /// (A template, so that an answer already here costs no std::function.)
  template <class Done>
  void OnReady(Done done) && {
    if (ready_) {
      done(std::move(*ready_));
      return;
    }
    std::unique_lock lock(arrival_->mutex);
    if (arrival_->result) {
      auto result = std::move(*arrival_->result);
      lock.unlock();
      done(std::move(result));
      return;
    }
    if (const CallContext* context = CallScope::Current()) {
      arrival_->on_ready = [context = *context, done = std::move(done)](Result<T> result) mutable {
        const CallScope scope(context);
        done(std::move(result));
      };
    } else {
      arrival_->on_ready = std::move(done);
    }
  }

  /// The answer passed through `then(Result<T>) -> Result<U>` once it is in (at once if it is).
  template <class U, class Convert>
  Pending<U> Then(Convert then) && {
    if (ready_) return Pending<U>(then(std::move(*ready_)));
    Promise<U> promise;
    auto converted = promise.GetPending();
    std::move(*this).OnReady(
        [promise, then = std::move(then)](Result<T> result) mutable { promise.Deliver(then(std::move(result))); });
    return converted;
  }

  /// The answer of the next step, `next(Result<T>) -> Pending<U>`, started once this one is in.
  template <class U, class Next>
  Pending<U> ThenStart(Next next) && {
    if (ready_) return next(std::move(*ready_));
    Promise<U> promise;
    auto final_answer = promise.GetPending();
    std::move(*this).OnReady([promise, next = std::move(next)](Result<T> result) mutable {
      next(std::move(result)).OnReady([promise](Result<U> answer) { promise.Deliver(std::move(answer)); });
    });
    return final_answer;
  }

 private:
  friend class Promise<T>;
  explicit Pending(std::shared_ptr<pending_detail::Arrival<T>> arrival) : arrival_(std::move(arrival)) {}

  std::optional<Result<T>> ready_;
  std::shared_ptr<pending_detail::Arrival<T>> arrival_;
};

/// The delivering side of one Pending: copies share it, and Deliver is called once, from any
/// thread. A Pending dropped before its answer came simply lets the answer be discarded.
template <class T>
class Promise {
 public:
  Promise() : arrival_(std::make_shared<pending_detail::Arrival<T>>()) {}

  Pending<T> GetPending() const { return Pending<T>(arrival_); }

  void Deliver(Result<T> result) const {
    std::unique_lock lock(arrival_->mutex);
    if (arrival_->on_ready) {
      auto done = std::move(arrival_->on_ready);
      arrival_->on_ready = nullptr;
      lock.unlock();
      done(std::move(result));
      return;
    }
    arrival_->result.emplace(std::move(result));
    arrival_->arrived.notify_all();
  }

 private:
  std::shared_ptr<pending_detail::Arrival<T>> arrival_;
};

/// Every answer of `parts`, once all are in (each its own Result: one failing does not hide the
/// others, nor leave them out when the caller moves on).
template <class... T>
Pending<std::tuple<Result<T>...>> WhenAll(Pending<T>... parts) {
  using All = std::tuple<Result<T>...>;
  if ((parts.ready() && ...)) return All(std::move(parts).Get()...);
  struct Gathering {
    std::tuple<std::optional<Result<T>>...> answers;
    std::atomic<std::size_t> missing{sizeof...(T)};
    Promise<All> promise;
  };
  auto gathering = std::make_shared<Gathering>();
  auto all = gathering->promise.GetPending();
  const auto arrive = [gathering]<std::size_t I, class One>(std::integral_constant<std::size_t, I>, Pending<One> part) {
    std::move(part).OnReady([gathering](Result<One> answer) {
      std::get<I>(gathering->answers).emplace(std::move(answer));
      if (gathering->missing.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      gathering->promise.Deliver(std::apply(
          [](auto&... answers) { return All(std::move(*answers)...); }, gathering->answers));
    });
  };
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (arrive(std::integral_constant<std::size_t, I>{}, std::move(parts)), ...);
  }(std::index_sequence_for<T...>{});
  return all;
}

}  // namespace minitok
