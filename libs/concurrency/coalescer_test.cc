#include "libs/concurrency/coalescer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace minitok::concurrency {
namespace {

using Ids = std::vector<std::int64_t>;

/// A remote end whose calls answer each query with its own double, once the test releases them.
class FakeCalls {
 public:
  struct Call {
    std::vector<int> queries;
    std::shared_future<void> released;
  };

  Pending<std::vector<int>> Send(std::vector<int> queries) {
    std::lock_guard lock(mutex_);
    calls_.push_back({queries, releases_.emplace_back().get_future().share()});
    if (answer_at_once_) {
      while (released_ < releases_.size()) releases_[released_++].set_value();
    }
    const auto released = calls_.back().released;
    const bool fail = fail_;
    const bool short_answer = short_answer_;
    return Pending<std::vector<int>>(std::function<Result<std::vector<int>>()>(
        [queries, released, fail, short_answer]() -> Result<std::vector<int>> {
          released.wait();
          if (fail) return MakeError(Code::kUnavailable, "the service is unavailable");
          std::vector<int> answers;
          for (const int query : queries) answers.push_back(query * 2);
          if (short_answer) answers.pop_back();
          return answers;
        }));
  }

  void ReleaseAll() {
    std::lock_guard lock(mutex_);
    while (released_ < releases_.size()) releases_[released_++].set_value();
  }

  std::vector<std::vector<int>> Sent() {
    std::lock_guard lock(mutex_);
    std::vector<std::vector<int>> sent;
    for (const auto& call : calls_) sent.push_back(call.queries);
    return sent;
  }

  bool answer_at_once_ = false;
  bool fail_ = false;
  bool short_answer_ = false;

 private:
  std::mutex mutex_;
  std::deque<std::promise<void>> releases_;
  std::size_t released_ = 0;
  std::vector<Call> calls_;
};

struct Fixture {
  explicit Fixture(std::size_t max_in_flight = 1)
      : coalescer([this](std::vector<int> queries) { return calls.Send(std::move(queries)); },
                  [max_in_flight] { return max_in_flight; }) {}
  FakeCalls calls;
  Coalescer<int, int> coalescer;
};

TEST(CoalescerTest, ALoneQueryLeavesAtOnceAndGetsItsAnswer) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  auto pending = f.coalescer.Add(21);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{21}}));  // sent before anyone waits
  auto answer = std::move(pending).Get();
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, 42);
}

TEST(CoalescerTest, QueriesArrivingWhileACallIsOutLeaveTogetherWhenItReturns) {
  Fixture f;
  auto first = f.coalescer.Add(1);
  auto second = f.coalescer.Add(2);
  auto third = f.coalescer.Add(3);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}}));
  f.calls.ReleaseAll();
  EXPECT_EQ(*std::move(first).Get(), 2);
  // The second caller sends the open batch (both queries) when it comes to wait.
  f.calls.answer_at_once_ = true;
  EXPECT_EQ(*std::move(second).Get(), 4);
  EXPECT_EQ(*std::move(third).Get(), 6);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2, 3}}));
}

TEST(CoalescerTest, MoreSlotsLetMoreCallsOutAtOnce) {
  Fixture f(2);
  f.calls.answer_at_once_ = true;
  auto a = f.coalescer.Add(1);
  auto b = f.coalescer.Add(2);
  auto c = f.coalescer.Add(3);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));
  EXPECT_EQ(*std::move(c).Get(), 6);
  EXPECT_EQ(*std::move(a).Get(), 2);
  EXPECT_EQ(*std::move(b).Get(), 4);
}

TEST(CoalescerTest, OneCallerWithTwoQueriesMayCollectTheLaterFirst) {
  // The earlier query's call holds the only slot and nobody else collects it: the caller waiting
  // for a slot collects it itself instead of waiting for ever.
  Fixture f;
  f.calls.answer_at_once_ = true;
  auto earlier = f.coalescer.Add(1);
  auto later = f.coalescer.Add(2);
  EXPECT_EQ(*std::move(later).Get(), 4);
  EXPECT_EQ(*std::move(earlier).Get(), 2);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));
}

TEST(CoalescerTest, ACallWhoseCallersLeftFreesItsSlotForTheNext) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  { auto dropped = f.coalescer.Add(1); }
  auto next = f.coalescer.Add(2);
  EXPECT_EQ(*std::move(next).Get(), 4);
  auto after = f.coalescer.Add(3);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}, {3}}));  // the slot is free again
  EXPECT_EQ(*std::move(after).Get(), 6);
}

TEST(CoalescerTest, AFailedCallFailsEveryQueryItCarried) {
  Fixture f;
  auto first = f.coalescer.Add(1);
  auto second = f.coalescer.Add(2);
  auto third = f.coalescer.Add(3);
  f.calls.ReleaseAll();
  ASSERT_TRUE(std::move(first).Get().ok());
  f.calls.answer_at_once_ = true;
  f.calls.fail_ = true;
  const auto failed = std::move(second).Get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Code::kUnavailable);
  EXPECT_EQ(std::move(third).Get().error().code, Code::kUnavailable);
}

TEST(CoalescerTest, ACallAnsweringTooFewIsAnInternalErrorForEachQuery) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  f.calls.short_answer_ = true;
  const auto answer = f.coalescer.Add(1).Get();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, Code::kInternal);
}

TEST(CoalescerTest, ManyThreadsEachGetTheirOwnAnswerInFewerCalls) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int query = t * kPerThread + i;
        auto answer = f.coalescer.Add(query).Get();
        if (!answer.ok() || *answer != query * 2) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  std::size_t carried = 0;
  for (const auto& call : f.calls.Sent()) carried += call.size();
  EXPECT_EQ(carried, std::size_t{kThreads * kPerThread});  // every query went exactly once
}

struct Record {
  std::int64_t id = 0;
  int value = 0;
  bool operator==(const Record&) const = default;
};

TEST(MergingIdsTest, EachIdTravelsOnceAndEachQueryGetsItsOwnRecordsInItsOrder) {
  std::vector<Ids> sent;
  const auto send = MergingIds<Record>(
      [&](Ids ids) {
        sent.push_back(ids);
        std::vector<Record> records;
        for (const auto id : ids) {
          if (id != 404) records.push_back({id, static_cast<int>(id) * 10});
        }
        std::reverse(records.begin(), records.end());  // in no particular order
        return Pending<std::vector<Record>>(std::move(records));
      },
      [](const Record& record) { return record.id; });
  auto answers = send({{3, 1, 404}, {1, 2}, {}}).Get();
  ASSERT_TRUE(answers.ok());
  EXPECT_EQ(sent, (std::vector<Ids>{{3, 1, 404, 2}}));
  ASSERT_EQ(answers->size(), 3u);
  EXPECT_EQ((*answers)[0], (std::vector<Record>{{3, 30}, {1, 10}}));
  EXPECT_EQ((*answers)[1], (std::vector<Record>{{1, 10}, {2, 20}}));
  EXPECT_TRUE((*answers)[2].empty());
}

TEST(MergingIdsTest, AFailedLookupFailsTheWholeCall) {
  const auto send = MergingIds<Record>(
      [](Ids) { return Pending<std::vector<Record>>(MakeError(Code::kUnavailable, "down")); },
      [](const Record& record) { return record.id; });
  const auto answers = send({{1}, {2}}).Get();
  ASSERT_FALSE(answers.ok());
  EXPECT_EQ(answers.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace minitok::concurrency
