// The comment adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/comment/comment_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rpc_loopback.h"

namespace minitok::comment {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Return;

class MockCommentService : public CommentService {
 public:
  MOCK_METHOD(Result<CommentRecord>, Add, (std::int64_t, std::int64_t, std::string_view), (override));
  MOCK_METHOD(Status, Delete, (std::int64_t, std::int64_t, std::int64_t), (override));
  MOCK_METHOD(Result<std::vector<CommentRecord>>, List, (std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<VideoCommentCount>>, GetCounts, (std::span<const std::int64_t>), (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

void ExpectSameComment(const CommentRecord& got, const CommentRecord& want) {
  SCOPED_TRACE("comment " + std::to_string(want.id));
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.video_id, want.video_id);
  EXPECT_EQ(got.user_id, want.user_id);
  EXPECT_EQ(got.content, want.content);
  EXPECT_EQ(got.created_ms, want.created_ms);
}

class CommentGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockCommentService> service_;
  testing::RpcLoopback<CommentService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeCommentOverGrpc(service_, dispatcher); },
      [] { return CommentGrpcClient(); }};
  CommentService& client_ = loopback_.client();
};

TEST_F(CommentGrpcTest, AddActsForTheUserInTheMetadataAndReturnsTheComment) {
  const CommentRecord added{
      .id = 88, .video_id = 42, .user_id = 7, .content = "nice 🐱", .created_ms = 1'700'000'000'321};
  EXPECT_CALL(service_, Add(7, 42, "nice 🐱")).WillOnce(Return(added));
  const auto comment = client_.Add(7, 42, "nice 🐱");
  ASSERT_TRUE(comment.ok()) << comment.error().message;
  ExpectSameComment(*comment, added);
}

TEST_F(CommentGrpcTest, BlankTextIsInvalidArgument) {
  EXPECT_CALL(service_, Add(7, 42, "   ")).WillOnce(Return(MakeError(Code::kInvalidArgument, "the comment is empty")));
  const auto comment = client_.Add(7, 42, "   ");
  ASSERT_FALSE(comment.ok());
  EXPECT_EQ(comment.error().code, Code::kInvalidArgument);
  EXPECT_EQ(comment.error().message, "the comment is empty");
}

TEST_F(CommentGrpcTest, DeleteActsForTheUserInTheMetadata) {
  EXPECT_CALL(service_, Delete(7, 42, 88)).WillOnce(Return(Ok()));
  EXPECT_CALL(service_, Delete(7, 0, 89)).WillOnce(Return(Ok()));
  EXPECT_TRUE(client_.Delete(7, 42, 88).ok());
  EXPECT_TRUE(client_.Delete(7, 0, 89).ok());
}

TEST_F(CommentGrpcTest, DeletingSomeoneElsesCommentIsPermissionDenied) {
  EXPECT_CALL(service_, Delete(8, 42, 88))
      .WillOnce(Return(MakeError(Code::kPermissionDenied, "you can not delete this comment")));
  const Status deleted = client_.Delete(8, 42, 88);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, Code::kPermissionDenied);
  EXPECT_EQ(deleted.error().message, "you can not delete this comment");
}

TEST_F(CommentGrpcTest, ListCarriesTheVideoAndThePageAndEveryComment) {
  const CommentRecord newer{.id = 90, .video_id = 42, .user_id = 3, .content = "second", .created_ms = 2000};
  const CommentRecord older{.id = 89, .video_id = 42, .user_id = 4, .content = "first", .created_ms = 1000};
  EXPECT_CALL(service_, List(42, ::testing::_))
      .WillOnce([&](std::int64_t, Page page) -> Result<std::vector<CommentRecord>> {
        EXPECT_EQ(page.offset, 10);
        EXPECT_EQ(page.limit, 2);
        return std::vector<CommentRecord>{newer, older};
      })
      .WillOnce(Return(std::vector<CommentRecord>{}));
  const auto comments = client_.List(42, {.offset = 10, .limit = 2}).value();
  ASSERT_EQ(comments.size(), 2u);
  ExpectSameComment(comments[0], newer);
  ExpectSameComment(comments[1], older);
  EXPECT_THAT(client_.List(42, {}).value(), IsEmpty());
}

TEST_F(CommentGrpcTest, ListOfAnUnknownVideoIsNotFound) {
  EXPECT_CALL(service_, List(404, ::testing::_))
      .WillOnce(Return(MakeError(Code::kNotFound, "this video does not exist")));
  const auto comments = client_.List(404, {});
  ASSERT_FALSE(comments.ok());
  EXPECT_EQ(comments.error().code, Code::kNotFound);
  EXPECT_EQ(comments.error().message, "this video does not exist");
}

TEST_F(CommentGrpcTest, CountsRoundTripInTheOrderAsked) {
  EXPECT_CALL(service_, GetCounts(::testing::_))
      .WillOnce([](std::span<const std::int64_t> ids) -> Result<std::vector<VideoCommentCount>> {
        EXPECT_THAT(Ids(ids), ElementsAre(5, 3));
        return std::vector<VideoCommentCount>{{.video_id = 5, .comment_count = 12},
                                              {.video_id = 3, .comment_count = 0}};
      });
  const std::int64_t ids[] = {5, 3};
  const auto counts = client_.GetCounts(ids).value();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].video_id, 5);
  EXPECT_EQ(counts[0].comment_count, 12);
  EXPECT_EQ(counts[1].video_id, 3);
  EXPECT_EQ(counts[1].comment_count, 0);
  EXPECT_THAT(client_.GetCounts({}).value(), IsEmpty());  // asks nothing
}

}  // namespace
}  // namespace minitok::comment
