#include "libs/concurrency/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace minitok::concurrency {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool({.name = "t", .threads = 3});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPoolTest, RefusesWhenQueueIsFull) {
  ThreadPool pool({.name = "t", .threads = 1, .max_queue = 1});
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TrySubmit([&, released] { started.set_value(); released.wait(); }));
  started.get_future().wait();
  EXPECT_TRUE(pool.TrySubmit([] {}));   // fills the queue
  EXPECT_FALSE(pool.TrySubmit([] {}));  // over the bound
  release.set_value();
}

TEST(ThreadPoolTest, AcceptsMoveOnlyTasks) {
  ThreadPool pool({.name = "t", .threads = 1});
  auto value = std::make_unique<int>(7);
  std::promise<int> result;
  auto future = result.get_future();
  ASSERT_TRUE(pool.TrySubmit([v = std::move(value), &result] { result.set_value(*v); }));
  EXPECT_EQ(future.get(), 7);
}

TEST(ThreadPoolTest, RefusesAfterShutdown) {
  ThreadPool pool({.name = "t", .threads = 1});
  pool.Shutdown();
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

}  // namespace
}  // namespace minitok::concurrency
