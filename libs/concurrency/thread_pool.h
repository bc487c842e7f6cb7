#pragma once
// Named, sized pools for blocking work (SQLite, ffmpeg, password hashing), so that event-loop
// threads never block.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace minitok::concurrency {

/// A move-only callable, so that tasks may own move-only state (completion handlers).
class Task {
 public:
  Task() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task>>>
  Task(F&& f) : impl_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {}  // NOLINT
  void operator()() { impl_->Run(); }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void Run() = 0;
  };
  template <class F>
  struct Model final : Concept {
    explicit Model(F&& f) : fn(std::move(f)) {}
    explicit Model(const F& f) : fn(f) {}
    void Run() override { fn(); }
    F fn;
  };
  std::unique_ptr<Concept> impl_;
};

struct ThreadPoolOptions {
  std::string name = "pool";
  std::size_t threads = 1;
  /// Tasks waiting beyond this are refused by TrySubmit (0 = unbounded).
  std::size_t max_queue = 0;
  /// Added to the threads' nice value (Linux per-thread priority); 0 keeps it.
  int nice = 0;
};

/// Thread-safe. Shutdown() (or the destructor) runs every queued task, then joins.
class ThreadPool {
 public:
  explicit ThreadPool(ThreadPoolOptions options);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Queues `task`; false when the queue is full or the pool is shutting down.
  bool TrySubmit(Task task);
  void Shutdown();

 private:
  void Run();

  ThreadPoolOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace minitok::concurrency
