// The message adapters round-trip every call, its errors and empty batches over a real gRPC
// connection; the generic rules of calls are checked once, in rpc/favorite.

#include "rpc/message/message_grpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/rpc_loopback.h"

namespace minitok::message {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Return;

class MockMessageService : public MessageService {
 public:
  MOCK_METHOD(Result<MessageRecord>, Send, (std::int64_t, std::int64_t, std::string_view), (override));
  MOCK_METHOD(Result<std::vector<MessageRecord>>, Chat, (std::int64_t, std::int64_t, std::int64_t, Page), (override));
  MOCK_METHOD(Result<std::vector<LatestMessage>>, Latest, (std::int64_t, std::span<const std::int64_t>), (override));
  MOCK_METHOD(Result<std::vector<LatestMessage>>, Conversations, (std::int64_t, Page), (override));
};

std::vector<std::int64_t> Ids(std::span<const std::int64_t> ids) { return {ids.begin(), ids.end()}; }

MessageRecord Message(std::int64_t id, std::int64_t from, std::int64_t to, std::string content) {
  return {.id = id, .from_user_id = from, .to_user_id = to, .content = std::move(content),
          .created_ms = 1'700'000'000'000 + id};
}

void ExpectSameMessage(const MessageRecord& got, const MessageRecord& want) {
  SCOPED_TRACE("message " + std::to_string(want.id));
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.from_user_id, want.from_user_id);
  EXPECT_EQ(got.to_user_id, want.to_user_id);
  EXPECT_EQ(got.content, want.content);
  EXPECT_EQ(got.created_ms, want.created_ms);
}

class MessageGrpcTest : public ::testing::Test {
 protected:
  ::testing::StrictMock<MockMessageService> service_;
  testing::RpcLoopback<MessageService> loopback_{
      [this](rpc::Dispatcher& dispatcher) { return ServeMessageOverGrpc(service_, dispatcher); },
      [] { return MessageGrpcClient(); }};
  MessageService& client_ = loopback_.client();
};

TEST_F(MessageGrpcTest, SendIsFromTheUserInTheMetadata) {
  EXPECT_CALL(service_, Send(7, 8, "hello, 世界")).WillOnce(Return(Message(50, 7, 8, "hello, 世界")));
  const auto sent = client_.Send(7, 8, "hello, 世界");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ExpectSameMessage(*sent, Message(50, 7, 8, "hello, 世界"));
}

TEST_F(MessageGrpcTest, AnUnknownRecipientIsNotFound) {
  EXPECT_CALL(service_, Send(7, 404, "hi")).WillOnce(Return(MakeError(Code::kNotFound, "this user does not exist")));
  const auto sent = client_.Send(7, 404, "hi");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, Code::kNotFound);
  EXPECT_EQ(sent.error().message, "this user does not exist");
}

TEST_F(MessageGrpcTest, ChatIsForTheUserInTheMetadataWithThePeerTheCursorAndThePage) {
  EXPECT_CALL(service_, Chat(7, 8, 1'700'000'000'040, ::testing::_))
      .WillOnce([](std::int64_t, std::int64_t, std::int64_t, Page page) -> Result<std::vector<MessageRecord>> {
        EXPECT_EQ(page.offset, 0);
        EXPECT_EQ(page.limit, 20);
        return std::vector<MessageRecord>{Message(41, 8, 7, "older"), Message(42, 7, 8, "newer")};
      });
  EXPECT_CALL(service_, Chat(7, 9, 0, ::testing::_))
      .WillOnce([](std::int64_t, std::int64_t, std::int64_t, Page page) -> Result<std::vector<MessageRecord>> {
        EXPECT_EQ(page.offset, 30);
        EXPECT_EQ(page.limit, 10);
        return std::vector<MessageRecord>{};
      });
  const auto messages = client_.Chat(7, 8, 1'700'000'000'040, {.offset = 0, .limit = 20}).value();
  ASSERT_EQ(messages.size(), 2u);
  ExpectSameMessage(messages[0], Message(41, 8, 7, "older"));
  ExpectSameMessage(messages[1], Message(42, 7, 8, "newer"));
  EXPECT_THAT(client_.Chat(7, 9, 0, {.offset = 30, .limit = 10}).value(), IsEmpty());
}

TEST_F(MessageGrpcTest, LatestKeepsThePeersInOrderAndAMissingMessageMissing) {
  EXPECT_CALL(service_, Latest(7, ::testing::_))
      .WillOnce([](std::int64_t, std::span<const std::int64_t> peers) -> Result<std::vector<LatestMessage>> {
        EXPECT_THAT(Ids(peers), ElementsAre(9, 8));
        return std::vector<LatestMessage>{{.peer_id = 9, .message = std::nullopt},
                                          {.peer_id = 8, .message = Message(42, 8, 7, "see you")}};
      });
  const std::int64_t peers[] = {9, 8};
  const auto latest = client_.Latest(7, peers).value();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].peer_id, 9);
  EXPECT_FALSE(latest[0].message.has_value());
  EXPECT_EQ(latest[1].peer_id, 8);
  ASSERT_TRUE(latest[1].message.has_value());
  ExpectSameMessage(*latest[1].message, Message(42, 8, 7, "see you"));
}

TEST_F(MessageGrpcTest, AnEmptyMessageIsStillAMessage) {
  // Every field at its default: present on the wire all the same, unlike no message at all.
  EXPECT_CALL(service_, Latest(7, ::testing::_))
      .WillOnce(Return(std::vector<LatestMessage>{{.peer_id = 3, .message = MessageRecord{}}}));
  const std::int64_t peers[] = {3};
  const auto latest = client_.Latest(7, peers).value();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].peer_id, 3);
  ASSERT_TRUE(latest[0].message.has_value());
  ExpectSameMessage(*latest[0].message, MessageRecord{});
}

TEST_F(MessageGrpcTest, LatestWithNoPeersIsEmpty) {
  EXPECT_CALL(service_, Latest(7, ::testing::_))
      .WillOnce([](std::int64_t, std::span<const std::int64_t> peers) -> Result<std::vector<LatestMessage>> {
        EXPECT_THAT(Ids(peers), IsEmpty());
        return std::vector<LatestMessage>{};
      });
  EXPECT_THAT(client_.Latest(7, {}).value(), IsEmpty());
}

TEST_F(MessageGrpcTest, ConversationsAreForTheUserInTheMetadataWithThePage) {
  EXPECT_CALL(service_, Conversations(7, ::testing::_))
      .WillOnce([](std::int64_t, Page page) -> Result<std::vector<LatestMessage>> {
        EXPECT_EQ(page.offset, 5);
        EXPECT_EQ(page.limit, 2);
        return std::vector<LatestMessage>{{.peer_id = 8, .message = Message(42, 8, 7, "latest")},
                                          {.peer_id = 3, .message = Message(17, 7, 3, "earlier")}};
      });
  const auto conversations = client_.Conversations(7, {.offset = 5, .limit = 2}).value();
  ASSERT_EQ(conversations.size(), 2u);
  EXPECT_EQ(conversations[0].peer_id, 8);
  ASSERT_TRUE(conversations[0].message.has_value());
  ExpectSameMessage(*conversations[0].message, Message(42, 8, 7, "latest"));
  EXPECT_EQ(conversations[1].peer_id, 3);
  ASSERT_TRUE(conversations[1].message.has_value());
  ExpectSameMessage(*conversations[1].message, Message(17, 7, 3, "earlier"));
}

TEST_F(MessageGrpcTest, ConversationsOfAnUnknownUserKeepTheError) {
  EXPECT_CALL(service_, Conversations(404, ::testing::_))
      .WillOnce(Return(MakeError(Code::kNotFound, "this user does not exist")));
  const auto conversations = client_.Conversations(404, {});
  ASSERT_FALSE(conversations.ok());
  EXPECT_EQ(conversations.error().code, Code::kNotFound);
  EXPECT_EQ(conversations.error().message, "this user does not exist");
}

}  // namespace
}  // namespace minitok::message
