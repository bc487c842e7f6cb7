#include "libs/core/pending.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace minitok {
namespace {

TEST(PendingTest, AReadyAnswerContinuesAtOnceOnTheCallersThread) {
  bool continued = false;
  Pending<int>(7).OnReady([&](Result<int> answer) {
    continued = true;
    EXPECT_EQ(*answer, 7);
  });
  EXPECT_TRUE(continued);
}

TEST(PendingTest, GetWaitsForAnAnswerDeliveredOnAnotherThread) {
  Promise<std::string> promise;
  auto pending = promise.GetPending();
  std::thread deliverer([promise] { promise.Deliver(std::string("here")); });
  EXPECT_EQ(*std::move(pending).Get(), "here");
  deliverer.join();
}

TEST(PendingTest, AContinuationRunsWhereTheAnswerArrivesInTheCallContextOfItsCaller) {
  Promise<int> promise;
  std::string request_seen;
  std::thread::id ran_on;
  {
    const CallScope scope({.request_id = "req-1"});
    promise.GetPending().Then<int>([](Result<int> n) -> Result<int> { return *n + 1; }).OnReady([&](Result<int> n) {
      EXPECT_EQ(*n, 2);
      ran_on = std::this_thread::get_id();
      request_seen = CallScope::Current() != nullptr ? CallScope::Current()->request_id : "none";
    });
  }
  std::thread deliverer([promise] { promise.Deliver(1); });
  const auto deliverer_id = deliverer.get_id();
  deliverer.join();
  EXPECT_EQ(ran_on, deliverer_id);
  EXPECT_EQ(request_seen, "req-1");
}

TEST(PendingTest, ThenStartChainsASecondCallAfterTheFirst) {
  Promise<int> first;
  Promise<std::string> second;
  auto chained = first.GetPending().ThenStart<std::string>([&](Result<int> n) -> Pending<std::string> {
    if (!n.ok()) return n.error();
    return second.GetPending();
  });
  first.Deliver(1);
  second.Deliver(std::string("two"));
  EXPECT_EQ(*std::move(chained).Get(), "two");

  Promise<int> failing;
  auto skipped = failing.GetPending().ThenStart<std::string>([](Result<int> n) -> Pending<std::string> {
    if (!n.ok()) return n.error();
    return std::string("never");
  });
  failing.Deliver(MakeError(Code::kUnavailable, "down"));
  EXPECT_EQ(std::move(skipped).Get().error().code, Code::kUnavailable);
}

TEST(PendingTest, WhenAllWaitsForEveryPartAndKeepsEachOutcome) {
  Promise<int> late;
  auto all = WhenAll(Pending<std::string>(std::string("now")), late.GetPending(),
                     Pending<double>(MakeError(Code::kNotFound, "gone")));
  EXPECT_FALSE(all.ready());
  std::thread deliverer([late] { late.Deliver(3); });
  auto answers = std::move(all).Get();
  deliverer.join();
  ASSERT_TRUE(answers.ok());
  EXPECT_EQ(*std::get<0>(*answers), "now");
  EXPECT_EQ(*std::get<1>(*answers), 3);
  EXPECT_EQ(std::get<2>(*answers).error().code, Code::kNotFound);
}

TEST(PendingTest, WhenAllOfReadyPartsIsReady) {
  auto all = WhenAll(Pending<int>(1), Pending<int>(2));
  ASSERT_TRUE(all.ready());
  const auto answers = std::move(all).Get();
  EXPECT_EQ(*std::get<0>(*answers) + *std::get<1>(*answers), 3);
}

}  // namespace
}  // namespace minitok
