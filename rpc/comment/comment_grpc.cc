#include "rpc/comment/comment_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/comment/v1/comment.grpc.pb.h"
#include "rpc/common/values.h"

namespace minitok::comment {
namespace {

using google::protobuf::Empty;
namespace wire = v1;

void ToWire(const CommentRecord& comment, wire::CommentRecord* out) {
  out->set_id(comment.id);
  out->set_video_id(comment.video_id);
  out->set_user_id(comment.user_id);
  out->set_content(comment.content);
  out->set_created_ms(comment.created_ms);
}

CommentRecord FromWire(const wire::CommentRecord& comment) {
  return {.id = comment.id(),
          .video_id = comment.video_id(),
          .user_id = comment.user_id(),
          .content = comment.content(),
          .created_ms = comment.created_ms()};
}

class Server final : public wire::Comment::CallbackService {
 public:
  Server(CommentService& service, rpc::Dispatcher& dispatcher) : service_(service), dispatcher_(dispatcher) {}

  grpc::ServerUnaryReactor* Add(grpc::CallbackServerContext* context, const wire::AddRequest* request,
                                wire::CommentRecord* response) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto comment, service_.Add(user, request->video_id(), request->text()));
      ToWire(comment, response);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context, const wire::DeleteRequest* request,
                                   Empty*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t user) {
      return service_.Delete(user, request->video_id(), request->comment_id());
    });
  }

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context, const wire::ListRequest* request,
                                 wire::Comments* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto comments, service_.List(request->video_id(), rpc::FromWire(request->page())));
      for (const auto& one : comments) ToWire(one, response->add_comments());
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetCounts(grpc::CallbackServerContext* context, const wire::GetCountsRequest* request,
                                      wire::GetCountsResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto counts, service_.GetCounts(rpc::FromWire(request->video_ids())));
      for (const auto& one : counts) {
        auto* out = response->add_counts();
        out->set_video_id(one.video_id);
        out->set_comment_count(one.comment_count);
      }
      return Ok();
    });
  }

 private:
  CommentService& service_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "comment";

class Client final : public CommentService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Result<CommentRecord> Add(std::int64_t user_id, std::int64_t video_id, std::string_view text) override {
    wire::AddRequest request;
    request.set_video_id(video_id);
    request.set_text(std::string(text));
    wire::CommentRecord response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(
        instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = user_id},
        [&](auto& stub, auto& context) { return stub.Add(&context, request, &response); }));
    return FromWire(response);
  }

  Status Delete(std::int64_t user_id, std::int64_t video_id, std::int64_t comment_id) override {
    wire::DeleteRequest request;
    request.set_video_id(video_id);
    request.set_comment_id(comment_id);
    Empty response;
    return rpc::CallUnary(instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = user_id},
                          [&](auto& stub, auto& context) { return stub.Delete(&context, request, &response); });
  }

  Result<std::vector<CommentRecord>> List(std::int64_t video_id, Page page) override {
    wire::ListRequest request;
    request.set_video_id(video_id);
    rpc::ToWire(page, request.mutable_page());
    wire::Comments response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService}, [&](auto& stub, auto& context) {
      return stub.List(&context, request, &response);
    }));
    std::vector<CommentRecord> comments;
    comments.reserve(response.comments_size());
    for (const auto& one : response.comments()) comments.push_back(FromWire(one));
    return comments;
  }

  Result<std::vector<VideoCommentCount>> GetCounts(std::span<const std::int64_t> video_ids) override {
    return StartGetCounts(video_ids).Get();
  }

  Pending<std::vector<VideoCommentCount>> StartGetCounts(std::span<const std::int64_t> video_ids) override {
    return rpc::LookUp(counts_, video_ids);
  }

 private:
  Pending<std::vector<VideoCommentCount>> SendGetCounts(const std::vector<std::int64_t>& video_ids) {
    wire::GetCountsRequest request;
    request.mutable_video_ids()->Add(video_ids.begin(), video_ids.end());
    return rpc::StartUnary<std::vector<VideoCommentCount>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetCounts(&context, &sent, &response, std::move(done));
        },
        [](const wire::GetCountsResponse& response) {
          std::vector<VideoCommentCount> counts;
          counts.reserve(response.counts_size());
          for (const auto& one : response.counts()) {
            counts.push_back({.video_id = one.video_id(), .comment_count = one.comment_count()});
          }
          return counts;
        });
  }

  rpc::Balancer<wire::Comment> instances_;
  rpc::MergedLookup<VideoCommentCount> counts_{
      concurrency::MergingIds<VideoCommentCount>([this](auto ids) { return SendGetCounts(ids); },
                                                 [](const VideoCommentCount& count) { return count.video_id; }),
      rpc::MergedCallSlots(instances_)};
};

}  // namespace

rpc::ServedService ServeCommentOverGrpc(CommentService& service, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(service, dispatcher), wire::Comment::service_full_name()};
}

rpc::RemoteService<CommentService> CommentGrpcClient() {
  return rpc::MakeRemoteService<CommentService, Client>();
}

}  // namespace minitok::comment
