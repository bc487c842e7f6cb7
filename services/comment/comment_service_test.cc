#include "services/comment/comment_service_sqlite.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"
#include "tests/support/temp_dir.h"

namespace minitok::comment {
namespace {

class CommentServiceTest : public ::testing::Test {
 protected:
  CommentServiceTest()
      : service_(std::move(sql::Database::Open({.path = dir_.File("comment.db")}, Migrations()).value()), videos_,
                 clock_) {
    videos_.Add(10, 100);  // video 10 by user 100
  }
  std::int64_t Count(std::int64_t video) {
    const std::int64_t ids[] = {video};
    return service_.GetCounts(ids).value().front().comment_count;
  }

  testing::TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  testing::FakeVideoService videos_;
  CommentServiceSqlite service_;
};

TEST_F(CommentServiceTest, AddsListsNewestFirstAndCounts) {
  auto first = service_.Add(1, 10, "first");
  auto second = service_.Add(2, 10, "测试评论");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->id, 1);
  auto list = service_.List(10, {0, 100});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->front().content, "测试评论");
  EXPECT_EQ(Count(10), 2);
}

TEST_F(CommentServiceTest, PagesAgreeWithTheDatabaseBeforeAndAfterChanges) {
  for (int i = 1; i <= 130; ++i) ASSERT_TRUE(service_.Add(1, 10, "c" + std::to_string(i)).ok());
  const auto contents = [&](Page page) {
    const std::vector<CommentRecord> list = service_.List(10, page).value();
    std::vector<std::string> out;
    for (const auto& c : list) out.push_back(c.content);
    return out;
  };
  EXPECT_EQ(contents({0, 2}), (std::vector<std::string>{"c130", "c129"}));
  EXPECT_EQ(contents({98, 3}), (std::vector<std::string>{"c32", "c31", "c30"}));  // crosses the kept newest
  EXPECT_EQ(contents({128, 10}), (std::vector<std::string>{"c2", "c1"}));
  EXPECT_EQ(contents({500, 10}), std::vector<std::string>{});
  EXPECT_EQ(Count(10), 130);
  auto added = service_.Add(2, 10, "newest");
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(contents({0, 2}), (std::vector<std::string>{"newest", "c130"}));
  EXPECT_EQ(Count(10), 131);
  ASSERT_TRUE(service_.Delete(2, 10, added->id).ok());
  EXPECT_EQ(contents({0, 1}), (std::vector<std::string>{"c130"}));
  EXPECT_EQ(Count(10), 130);
}

TEST_F(CommentServiceTest, OnlyTheCommenterOrTheVideoAuthorMayDelete) {
  const auto id = service_.Add(1, 10, "hello").value().id;
  auto stranger = service_.Delete(2, 10, id);
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code, Code::kPermissionDenied);
  EXPECT_EQ(Count(10), 1);
  EXPECT_TRUE(service_.Delete(100, 10, id).ok());  // the video's author
  EXPECT_EQ(Count(10), 0);
  const auto own = service_.Add(1, 10, "again").value().id;
  EXPECT_TRUE(service_.Delete(1, 10, own).ok());
  auto gone = service_.Delete(1, 10, own);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, Code::kNotFound);
  EXPECT_EQ(Count(10), 0);
}

TEST_F(CommentServiceTest, ValidatesTextAndVideo) {
  for (const std::string& bad : {std::string(), std::string("   "), std::string(501, 'x'), std::string("\xC3")}) {
    auto result = service_.Add(1, 10, bad);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Code::kInvalidArgument);
  }
  EXPECT_TRUE(service_.Add(1, 10, std::string(500, 'x')).ok());
  EXPECT_EQ(service_.Add(1, 404, "hi").error().code, Code::kNotFound);
  EXPECT_EQ(service_.List(404, {}).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace minitok::comment
