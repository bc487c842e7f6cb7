#include "rpc/relation/relation_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/relation/v1/relation.grpc.pb.h"
#include "rpc/common/values.h"

namespace minitok::relation {
namespace {

using google::protobuf::Empty;
namespace wire = v1;

class Server final : public wire::Relation::CallbackService {
 public:
  Server(RelationService& service, rpc::Dispatcher& dispatcher) : service_(service), dispatcher_(dispatcher) {}

  grpc::ServerUnaryReactor* Follow(grpc::CallbackServerContext* context, const wire::UserRef* request,
                                   Empty*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t user) {
      return service_.Follow(user, request->target_id());
    });
  }

  grpc::ServerUnaryReactor* Unfollow(grpc::CallbackServerContext* context, const wire::UserRef* request,
                                     Empty*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t user) {
      return service_.Unfollow(user, request->target_id());
    });
  }

  grpc::ServerUnaryReactor* ListFollowing(grpc::CallbackServerContext* context, const wire::ListRequest* request,
                                          wire::UserIds* response) override {
    return List(context, &RelationService::ListFollowing, request, response);
  }

  grpc::ServerUnaryReactor* ListFollowers(grpc::CallbackServerContext* context, const wire::ListRequest* request,
                                          wire::UserIds* response) override {
    return List(context, &RelationService::ListFollowers, request, response);
  }

  grpc::ServerUnaryReactor* ListFriends(grpc::CallbackServerContext* context, const wire::ListRequest* request,
                                        wire::UserIds* response) override {
    return List(context, &RelationService::ListFriends, request, response);
  }

  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context, const wire::GetStatsRequest* request,
                                     wire::GetStatsResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      response->clear_answers();  // a read refused on gRPC's thread runs again on a worker
      for (const auto& query : request->queries()) {
        MINITOK_ASSIGN_OR_RETURN(const auto stats, service_.GetStats(rpc::FromWire(query.user_ids()), query.viewer()));
        auto* answer = response->add_answers();
        for (const auto& one : stats) {
          auto* out = answer->add_stats();
          out->set_user_id(one.user_id);
          out->set_follow_count(one.follow_count);
          out->set_follower_count(one.follower_count);
          out->set_is_follow(one.is_follow);
        }
      }
      return Ok();
    });
  }

 private:
  using Lister = Result<std::vector<std::int64_t>> (RelationService::*)(std::int64_t, Page);

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context, Lister list, const wire::ListRequest* request,
                                 wire::UserIds* response) {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, list, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto ids, (service_.*list)(request->user_id(), rpc::FromWire(request->page())));
      response->mutable_user_ids()->Add(ids.begin(), ids.end());
      return Ok();
    });
  }

  RelationService& service_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "relation";

class Client final : public RelationService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Status Follow(std::int64_t user_id, std::int64_t target_id) override {
    return Act(&wire::Relation::Stub::Follow, user_id, target_id);
  }

  Status Unfollow(std::int64_t user_id, std::int64_t target_id) override {
    return Act(&wire::Relation::Stub::Unfollow, user_id, target_id);
  }

  Result<std::vector<std::int64_t>> ListFollowing(std::int64_t user_id, Page page) override {
    return List(&wire::Relation::Stub::ListFollowing, user_id, page);
  }

  Result<std::vector<std::int64_t>> ListFollowers(std::int64_t user_id, Page page) override {
    return List(&wire::Relation::Stub::ListFollowers, user_id, page);
  }

  Result<std::vector<std::int64_t>> ListFriends(std::int64_t user_id, Page page) override {
    return List(&wire::Relation::Stub::ListFriends, user_id, page);
  }

  Result<std::vector<RelationStats>> GetStats(std::span<const std::int64_t> user_ids, std::int64_t viewer) override {
    return StartGetStats(user_ids, viewer).Get();
  }

  Pending<std::vector<RelationStats>> StartGetStats(std::span<const std::int64_t> user_ids,
                                                    std::int64_t viewer) override {
    return rpc::LookUp(stats_, user_ids, viewer);
  }

 private:
  Pending<std::vector<std::vector<RelationStats>>> SendGetStats(const std::vector<rpc::ViewerQuery>& queries) {
    wire::GetStatsRequest request;
    for (const auto& query : queries) {
      auto* out = request.add_queries();
      out->set_viewer(query.viewer);
      out->mutable_user_ids()->Add(query.ids.begin(), query.ids.end());
    }
    return rpc::StartUnary<std::vector<std::vector<RelationStats>>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetStats(&context, &sent, &response, std::move(done));
        },
        [](const wire::GetStatsResponse& response) {
          std::vector<std::vector<RelationStats>> answers;
          answers.reserve(response.answers_size());
          for (const auto& answer : response.answers()) {
            auto& stats = answers.emplace_back();
            stats.reserve(answer.stats_size());
            for (const auto& one : answer.stats()) {
              stats.push_back({.user_id = one.user_id(), .follow_count = one.follow_count(),
                               .follower_count = one.follower_count(), .is_follow = one.is_follow()});
            }
          }
          return answers;
        });
  }

  using Action = grpc::Status (wire::Relation::Stub::*)(grpc::ClientContext*, const wire::UserRef&, Empty*);
  using Lister = grpc::Status (wire::Relation::Stub::*)(grpc::ClientContext*, const wire::ListRequest&,
                                                        wire::UserIds*);

  Status Act(Action action, std::int64_t user_id, std::int64_t target_id) {
    wire::UserRef request;
    request.set_target_id(target_id);
    Empty response;
    return rpc::CallUnary(instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = user_id},
                          [&](auto& stub, auto& context) { return (stub.*action)(&context, request, &response); });
  }

  Result<std::vector<std::int64_t>> List(Lister list, std::int64_t user_id, Page page) {
    wire::ListRequest request;
    request.set_user_id(user_id);
    rpc::ToWire(page, request.mutable_page());
    wire::UserIds response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService}, [&](auto& stub, auto& context) {
      return (stub.*list)(&context, request, &response);
    }));
    return std::vector<std::int64_t>(response.user_ids().begin(), response.user_ids().end());
  }

  rpc::Balancer<wire::Relation> instances_;
  rpc::MergedViewerLookup<RelationStats> stats_{[this](auto queries) { return SendGetStats(queries); },
                                                rpc::MergedCallSlots(instances_)};
};

}  // namespace

rpc::ServedService ServeRelationOverGrpc(RelationService& service, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(service, dispatcher), wire::Relation::service_full_name()};
}

rpc::RemoteService<RelationService> RelationGrpcClient() {
  return rpc::MakeRemoteService<RelationService, Client>();
}

}  // namespace minitok::relation
