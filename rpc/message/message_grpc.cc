#include "rpc/message/message_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/message/v1/message.grpc.pb.h"
#include "rpc/common/values.h"

namespace minitok::message {
namespace {

namespace wire = v1;

void ToWire(const MessageRecord& message, wire::MessageRecord* out) {
  out->set_id(message.id);
  out->set_from_user_id(message.from_user_id);
  out->set_to_user_id(message.to_user_id);
  out->set_content(message.content);
  out->set_created_ms(message.created_ms);
}

MessageRecord FromWire(const wire::MessageRecord& message) {
  return {.id = message.id(),
          .from_user_id = message.from_user_id(),
          .to_user_id = message.to_user_id(),
          .content = message.content(),
          .created_ms = message.created_ms()};
}

// A peer with no message between the two travels without one.
void ToWire(const std::vector<LatestMessage>& latest, wire::LatestMessages* out) {
  for (const auto& one : latest) {
    auto* conversation = out->add_conversations();
    conversation->set_peer_id(one.peer_id);
    if (one.message) ToWire(*one.message, conversation->mutable_message());
  }
}

std::vector<LatestMessage> FromWire(const wire::LatestMessages& latest) {
  std::vector<LatestMessage> out;
  out.reserve(latest.conversations_size());
  for (const auto& one : latest.conversations()) {
    auto& conversation = out.emplace_back(LatestMessage{.peer_id = one.peer_id()});
    if (one.has_message()) conversation.message = FromWire(one.message());
  }
  return out;
}

class Server final : public wire::Message::CallbackService {
 public:
  Server(MessageService& service, rpc::Dispatcher& dispatcher) : service_(service), dispatcher_(dispatcher) {}

  grpc::ServerUnaryReactor* Send(grpc::CallbackServerContext* context, const wire::SendRequest* request,
                                 wire::MessageRecord* response) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto message, service_.Send(user, request->to_user_id(), request->content()));
      ToWire(message, response);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Chat(grpc::CallbackServerContext* context, const wire::ChatRequest* request,
                                 wire::Messages* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto messages, service_.Chat(user, request->peer_id(), request->after_ms(),
                                                                  rpc::FromWire(request->page())));
      for (const auto& one : messages) ToWire(one, response->add_messages());
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Latest(grpc::CallbackServerContext* context, const wire::LatestRequest* request,
                                   wire::LatestMessages* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto latest, service_.Latest(user, rpc::FromWire(request->peer_ids())));
      ToWire(latest, response);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Conversations(grpc::CallbackServerContext* context,
                                          const wire::ConversationsRequest* request,
                                          wire::LatestMessages* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto latest, service_.Conversations(user, rpc::FromWire(request->page())));
      ToWire(latest, response);
      return Ok();
    });
  }

 private:
  MessageService& service_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "message";

class Client final : public MessageService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Result<MessageRecord> Send(std::int64_t from_user_id, std::int64_t to_user_id, std::string_view content) override {
    wire::SendRequest request;
    request.set_to_user_id(to_user_id);
    request.set_content(std::string(content));
    wire::MessageRecord response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(
        instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = from_user_id},
        [&](auto& stub, auto& context) { return stub.Send(&context, request, &response); }));
    return FromWire(response);
  }

  Result<std::vector<MessageRecord>> Chat(std::int64_t user_id, std::int64_t peer_id, std::int64_t after_ms,
                                          Page page) override {
    wire::ChatRequest request;
    request.set_peer_id(peer_id);
    request.set_after_ms(after_ms);
    rpc::ToWire(page, request.mutable_page());
    wire::Messages response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService, .acting_user = user_id},
                                           [&](auto& stub, auto& context) {
                                             return stub.Chat(&context, request, &response);
                                           }));
    std::vector<MessageRecord> messages;
    messages.reserve(response.messages_size());
    for (const auto& one : response.messages()) messages.push_back(FromWire(one));
    return messages;
  }

  Result<std::vector<LatestMessage>> Latest(std::int64_t user_id, std::span<const std::int64_t> peer_ids) override {
    wire::LatestRequest request;
    request.mutable_peer_ids()->Add(peer_ids.begin(), peer_ids.end());
    wire::LatestMessages response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService, .acting_user = user_id},
                                           [&](auto& stub, auto& context) {
                                             return stub.Latest(&context, request, &response);
                                           }));
    return FromWire(response);
  }

  Result<std::vector<LatestMessage>> Conversations(std::int64_t user_id, Page page) override {
    wire::ConversationsRequest request;
    rpc::ToWire(page, request.mutable_page());
    wire::LatestMessages response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService, .acting_user = user_id},
                                           [&](auto& stub, auto& context) {
                                             return stub.Conversations(&context, request, &response);
                                           }));
    return FromWire(response);
  }

 private:
  rpc::Balancer<wire::Message> instances_;
};

}  // namespace

rpc::ServedService ServeMessageOverGrpc(MessageService& service, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(service, dispatcher), wire::Message::service_full_name()};
}

rpc::RemoteService<MessageService> MessageGrpcClient() {
  return rpc::MakeRemoteService<MessageService, Client>();
}

}  // namespace minitok::message
