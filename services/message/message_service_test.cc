#include "services/message/message_service_sqlite.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"
#include "tests/support/temp_dir.h"

namespace minitok::message {
namespace {

class MessageServiceTest : public ::testing::Test {
 protected:
  MessageServiceTest()
      : service_(std::move(sql::Database::Open({.path = dir_.File("message.db")}, Migrations()).value()), users_,
                 clock_) {
    for (int id = 1; id <= 3; ++id) users_.Add(id, "u" + std::to_string(id));
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  testing::FakeUserService users_;
  MessageServiceSqlite service_;
};

TEST_F(MessageServiceTest, TimesAreUniqueEvenWithinOneMillisecond) {
  auto a = service_.Send(1, 2, "a");
  auto b = service_.Send(2, 1, "b");
  auto c = service_.Send(1, 3, "c");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->created_ms, 1'700'000'000'000);
  EXPECT_EQ(b->created_ms, a->created_ms + 1);
  EXPECT_EQ(c->created_ms, b->created_ms + 1);
}

TEST_F(MessageServiceTest, ChatShowsBothDirectionsOldestFirstAndPollsStrictlyNewer) {
  const auto a = service_.Send(1, 2, "a").value();
  const auto b = service_.Send(2, 1, "b").value();
  ASSERT_TRUE(service_.Send(1, 3, "elsewhere").ok());
  auto history = service_.Chat(2, 1, 0, {0, 500});
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].id, a.id);
  EXPECT_EQ((*history)[1].id, b.id);
  auto newer = service_.Chat(1, 2, a.created_ms, {0, 500});
  ASSERT_TRUE(newer.ok());
  ASSERT_EQ(newer->size(), 1u);
  EXPECT_EQ(newer->front().id, b.id);
  EXPECT_TRUE(service_.Chat(1, 2, b.created_ms, {0, 500})->empty());
  auto capped = service_.Chat(1, 2, 0, {0, 1});
  ASSERT_EQ(capped->size(), 1u);
  EXPECT_EQ(capped->front().id, b.id);  // the newest, when capped
}

TEST_F(MessageServiceTest, LatestPerPeerAndValidation) {
  ASSERT_TRUE(service_.Send(1, 2, "old").ok());
  ASSERT_TRUE(service_.Send(2, 1, "new").ok());
  const std::int64_t peers[] = {2, 3};
  auto latest = service_.Latest(1, peers);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE((*latest)[0].message);
  EXPECT_EQ((*latest)[0].message->content, "new");
  EXPECT_FALSE((*latest)[1].message);
  EXPECT_EQ(service_.Send(1, 1, "me").error().code, Code::kInvalidArgument);
  EXPECT_EQ(service_.Send(1, 99, "hi").error().code, Code::kNotFound);
  EXPECT_EQ(service_.Send(1, 2, "").error().code, Code::kInvalidArgument);
  EXPECT_EQ(service_.Send(1, 2, std::string(1001, 'x')).error().code, Code::kInvalidArgument);
}

TEST_F(MessageServiceTest, ConversationsListEveryPeerInEitherDirectionByLatestMessage) {
  for (int id = 4; id <= 5; ++id) users_.Add(id, "u" + std::to_string(id));
  ASSERT_TRUE(service_.Send(1, 2, "to two").ok());
  ASSERT_TRUE(service_.Send(3, 1, "from three, never answered").ok());
  ASSERT_TRUE(service_.Send(2, 1, "two answers").ok());
  ASSERT_TRUE(service_.Send(4, 5, "not about user 1").ok());
  auto mine = service_.Conversations(1, {0, 100});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].peer_id, 2);
  EXPECT_EQ((*mine)[0].message->content, "two answers");
  EXPECT_EQ((*mine)[1].peer_id, 3);
  EXPECT_EQ((*mine)[1].message->from_user_id, 3);
  // The same conversation seen from the other side, and paging.
  auto theirs = service_.Conversations(3, {0, 100});
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].peer_id, 1);
  auto second = service_.Conversations(1, {1, 1});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].peer_id, 3);
  EXPECT_TRUE(service_.Conversations(2, {5, 10}).value().empty());
}

TEST(MessageMigrationTest, ConversationsAreBuiltFromMessagesWrittenBeforeTheyExisted) {
  testing::TempDir dir;
  const auto path = dir.File("message.db");
  {
    auto first_schema = sql::Database::Open({.path = path}, Migrations().first(1));
    ASSERT_TRUE(first_schema.ok());
    ASSERT_TRUE((*first_schema)->Write([](sql::Connection& c) -> Status {
      return c.Execute(
          "INSERT INTO messages (low_user_id, high_user_id, from_user_id, to_user_id, content, created_ms) VALUES "
          "(1, 2, 1, 2, 'first', 10), (1, 2, 2, 1, 'latest', 30), (1, 3, 3, 1, 'other', 20)");
    }).ok());
  }
  ManualClock clock{1'700'000'000'000};
  testing::FakeUserService users;
  MessageServiceSqlite service(std::move(sql::Database::Open({.path = path}, Migrations()).value()), users, clock);
  auto conversations = service.Conversations(1, {0, 100});
  ASSERT_TRUE(conversations.ok());
  ASSERT_EQ(conversations->size(), 2u);
  EXPECT_EQ((*conversations)[0].peer_id, 2);
  EXPECT_EQ((*conversations)[0].message->content, "latest");
  EXPECT_EQ((*conversations)[1].peer_id, 3);
  EXPECT_EQ(service.Conversations(2, {0, 100}).value().at(0).message->content, "latest");
}

}  // namespace
}  // namespace minitok::message
