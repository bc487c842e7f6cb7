#include "libs/concurrency/thread_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace minitok::concurrency {

ThreadPool::ThreadPool(ThreadPoolOptions options) : options_(std::move(options)) {
  threads_.reserve(options_.threads);
  for (std::size_t i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] { Run(); });
  }
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::TrySubmit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (options_.max_queue != 0 && queue_.size() >= options_.max_queue) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void ThreadPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void ThreadPool::Run() {
  const std::string thread_name = options_.name.substr(0, 15);
  pthread_setname_np(pthread_self(), thread_name.c_str());
  if (options_.nice != 0) {
    // On Linux, PRIO_PROCESS with a thread id changes that thread only. Failure just leaves the
    // default priority, which is safe.
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    (void)setpriority(PRIO_PROCESS, tid, options_.nice);
  }
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace minitok::concurrency
