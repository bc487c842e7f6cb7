#include "libs/core/non_blocking.h"

#include <gtest/gtest.h>

#include <thread>

namespace minitok {
namespace {

TEST(NonBlockingScopeTest, RefusesOnlyInsideAScopeOnItsOwnThread) {
  EXPECT_FALSE(NonBlockingScope::RefuseBlocking());
  {
    NonBlockingScope scope;
    EXPECT_FALSE(scope.refused());
    bool refused_elsewhere = true;
    std::thread other([&] { refused_elsewhere = NonBlockingScope::RefuseBlocking(); });
    other.join();
    EXPECT_FALSE(refused_elsewhere);  // another thread (a worker) may block
    EXPECT_FALSE(scope.refused());
    EXPECT_TRUE(NonBlockingScope::RefuseBlocking());
    EXPECT_TRUE(scope.refused());
  }
  EXPECT_FALSE(NonBlockingScope::RefuseBlocking());
}

TEST(NonBlockingScopeTest, NestedScopesReportToTheInnermost) {
  NonBlockingScope outer;
  {
    NonBlockingScope inner;
    EXPECT_TRUE(NonBlockingScope::RefuseBlocking());
    EXPECT_TRUE(inner.refused());
  }
  EXPECT_FALSE(outer.refused());
}

}  // namespace
}  // namespace minitok
