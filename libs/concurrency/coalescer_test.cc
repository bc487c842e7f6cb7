#include "libs/concurrency/coalescer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace minitok::concurrency {
namespace {

using Ids = std::vector<std::int64_t>;

/// A remote end whose calls answer each query with its own double, once the test releases them
/// (on the releasing thread, as a gRPC callback thread would).
class FakeCalls {
 public:
  Pending<std::vector<int>> Send(std::vector<int> queries) {
    std::lock_guard lock(mutex_);
    sent_.push_back(queries);
    if (answer_at_once_) return Answers(queries);
    Promise<std::vector<int>> promise;
    out_.push_back({std::move(queries), promise});
    return promise.GetPending();
  }

  /// Answers every call out now, including those sent while answering.
  void ReleaseAll() {
    for (;;) {
      std::vector<Out> out;
      {
        std::lock_guard lock(mutex_);
        out.swap(out_);
      }
      if (out.empty()) return;
      for (auto& call : out) call.promise.Deliver(Answers(call.queries));
    }
  }

  std::vector<std::vector<int>> Sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

  std::atomic<bool> answer_at_once_ = false;
  std::atomic<bool> fail_ = false;
  std::atomic<bool> short_answer_ = false;

 private:
  struct Out {
    std::vector<int> queries;
    Promise<std::vector<int>> promise;
  };

  Result<std::vector<int>> Answers(const std::vector<int>& queries) const {
    if (fail_) return MakeError(Code::kUnavailable, "the service is unavailable");
    std::vector<int> answers;
    for (const int query : queries) answers.push_back(query * 2);
    if (short_answer_) answers.pop_back();
    return answers;
  }

  std::mutex mutex_;
  std::vector<std::vector<int>> sent_;
  std::vector<Out> out_;
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
  auto pending = f.coalescer.Add(21);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{21}}));  // sent before anyone waits
  f.calls.ReleaseAll();
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
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2, 3}}));  // sent by the first's answer
  EXPECT_EQ(*std::move(first).Get(), 2);
  EXPECT_EQ(*std::move(second).Get(), 4);
  EXPECT_EQ(*std::move(third).Get(), 6);
}

TEST(CoalescerTest, MoreSlotsLetMoreCallsOutAtOnce) {
  Fixture f(2);
  auto a = f.coalescer.Add(1);
  auto b = f.coalescer.Add(2);
  auto c = f.coalescer.Add(3);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));
  f.calls.ReleaseAll();
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}, {3}}));
  EXPECT_EQ(*std::move(c).Get(), 6);
  EXPECT_EQ(*std::move(a).Get(), 2);
  EXPECT_EQ(*std::move(b).Get(), 4);
}

TEST(CoalescerTest, ACallAnsweredAtOnceFreesItsSlotAtOnce) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  auto a = f.coalescer.Add(1);
  auto b = f.coalescer.Add(2);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));
  EXPECT_EQ(*std::move(b).Get(), 4);
  EXPECT_EQ(*std::move(a).Get(), 2);
}

TEST(CoalescerTest, ACallerContinuesOnTheThreadThatDeliversItsAnswer) {
  Fixture f;
  std::thread::id answered_on;
  std::optional<int> next_answer;
  f.coalescer.Add(1).OnReady([&](Result<int> answer) {
    answered_on = std::this_thread::get_id();
    ASSERT_TRUE(answer.ok());
    // A continuation may start the next call (a feed's page, then its counters).
    f.coalescer.Add(*answer).OnReady([&](Result<int> next) { next_answer = *next; });
  });
  std::thread deliverer([&] { f.calls.ReleaseAll(); });
  const auto deliverer_id = deliverer.get_id();
  deliverer.join();
  EXPECT_EQ(answered_on, deliverer_id);
  EXPECT_EQ(next_answer, 4);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));
}

TEST(CoalescerTest, QueriesAddedWhileACallsAnswersAreHandedOutLeaveTogetherAfterwards) {
  Fixture pages;
  Fixture counters;
  { auto occupies_the_slot = pages.coalescer.Add(100); }
  std::vector<Pending<int>> next;
  for (int page = 1; page <= 3; ++page) {
    pages.coalescer.Add(page).OnReady([&](Result<int> answer) { next.push_back(counters.coalescer.Add(*answer)); });
  }
  pages.calls.ReleaseAll();
  EXPECT_EQ(pages.calls.Sent(), (std::vector<std::vector<int>>{{100}, {1, 2, 3}}));
  // One call answered three pages: their next queries leave as one call once all three have them
  // (not the first alone while the others gather behind it).
  EXPECT_EQ(counters.calls.Sent(), (std::vector<std::vector<int>>{{2, 4, 6}}));
  counters.calls.ReleaseAll();
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(*std::move(next[2]).Get(), 12);
}

TEST(CoalescerTest, ACallWhoseCallersLeftStillFreesItsSlot) {
  Fixture f;
  { auto dropped = f.coalescer.Add(1); }
  f.calls.ReleaseAll();
  auto next = f.coalescer.Add(2);
  EXPECT_EQ(f.calls.Sent(), (std::vector<std::vector<int>>{{1}, {2}}));  // the slot is free again
  f.calls.ReleaseAll();
  EXPECT_EQ(*std::move(next).Get(), 4);
}

TEST(CoalescerTest, AFailedCallFailsEveryQueryItCarried) {
  Fixture f;
  auto first = f.coalescer.Add(1);
  auto second = f.coalescer.Add(2);
  auto third = f.coalescer.Add(3);
  f.calls.fail_ = true;
  f.calls.ReleaseAll();
  for (auto* pending : {&first, &second, &third}) {
    const auto failed = std::move(*pending).Get();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, Code::kUnavailable);
  }
}

TEST(CoalescerTest, ACallAnsweringTooFewIsAnInternalErrorForEachQuery) {
  Fixture f;
  f.calls.answer_at_once_ = true;
  f.calls.short_answer_ = true;
  const auto answer = f.coalescer.Add(1).Get();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, Code::kInternal);
}

TEST(CoalescerTest, ManyThreadsEachGetTheirOwnAnswerAndEveryQueryTravelsOnce) {
  Fixture f;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  std::atomic<bool> done{false};
  std::thread remote([&] {
    while (!done) {
      f.calls.ReleaseAll();
      std::this_thread::yield();
    }
  });
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
  done = true;
  remote.join();
  EXPECT_EQ(wrong.load(), 0);
  std::size_t carried = 0;
  for (const auto& call : f.calls.Sent()) carried += call.size();
  EXPECT_EQ(carried, std::size_t{kThreads * kPerThread});
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
