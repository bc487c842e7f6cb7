#include "rpc/favorite/favorite_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/favorite/v1/favorite.grpc.pb.h"
#include "rpc/common/values.h"

namespace minitok::favorite {
namespace {

using google::protobuf::Empty;
namespace wire = v1;

class Server final : public wire::Favorite::CallbackService {
 public:
  Server(FavoriteService& service, rpc::Dispatcher& dispatcher) : service_(service), dispatcher_(dispatcher) {}

  grpc::ServerUnaryReactor* Like(grpc::CallbackServerContext* context, const wire::VideoRef* request,
                                 Empty*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite,
                               [this, request](std::int64_t user) { return service_.Like(user, request->video_id()); });
  }

  grpc::ServerUnaryReactor* Unlike(grpc::CallbackServerContext* context, const wire::VideoRef* request,
                                   Empty*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite,
                               [this, request](std::int64_t user) { return service_.Unlike(user, request->video_id()); });
  }

  grpc::ServerUnaryReactor* ListLikedVideos(grpc::CallbackServerContext* context,
                                            const wire::ListLikedVideosRequest* request,
                                            wire::VideoIds* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto ids, service_.ListLikedVideos(request->user_id(), rpc::FromWire(request->page())));
      response->mutable_video_ids()->Add(ids.begin(), ids.end());
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetVideoStats(grpc::CallbackServerContext* context,
                                          const wire::GetVideoStatsRequest* request,
                                          wire::GetVideoStatsResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      response->clear_answers();  // a read refused on gRPC's thread runs again on a worker
      for (const auto& query : request->queries()) {
        MINITOK_ASSIGN_OR_RETURN(const auto stats,
                                 service_.GetVideoStats(rpc::FromWire(query.video_ids()), query.viewer()));
        auto* answer = response->add_answers();
        for (const auto& one : stats) {
          auto* out = answer->add_stats();
          out->set_video_id(one.video_id);
          out->set_favorite_count(one.favorite_count);
          out->set_is_favorite(one.is_favorite);
        }
      }
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetUserStats(grpc::CallbackServerContext* context,
                                         const wire::GetUserStatsRequest* request,
                                         wire::GetUserStatsResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto stats, service_.GetUserStats(rpc::FromWire(request->user_ids())));
      for (const auto& one : stats) {
        auto* out = response->add_stats();
        out->set_user_id(one.user_id);
        out->set_favorite_count(one.favorite_count);
        out->set_total_favorited(one.total_favorited);
      }
      return Ok();
    });
  }

 private:
  FavoriteService& service_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "favorite";

class Client final : public FavoriteService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Status Like(std::int64_t user_id, std::int64_t video_id) override { return StartLike(user_id, video_id).Get(); }

  Status Unlike(std::int64_t user_id, std::int64_t video_id) override { return StartUnlike(user_id, video_id).Get(); }

  Pending<void> StartLike(std::int64_t user_id, std::int64_t video_id) override {
    return StartAct(user_id, video_id, [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
      stub.async()->Like(&context, &sent, &response, std::move(done));
    });
  }

  Pending<void> StartUnlike(std::int64_t user_id, std::int64_t video_id) override {
    return StartAct(user_id, video_id, [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
      stub.async()->Unlike(&context, &sent, &response, std::move(done));
    });
  }

  Result<std::vector<std::int64_t>> ListLikedVideos(std::int64_t user_id, Page page) override {
    wire::ListLikedVideosRequest request;
    request.set_user_id(user_id);
    rpc::ToWire(page, request.mutable_page());
    wire::VideoIds response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService}, [&](auto& stub, auto& context) {
      return stub.ListLikedVideos(&context, request, &response);
    }));
    return std::vector<std::int64_t>(response.video_ids().begin(), response.video_ids().end());
  }

  Result<std::vector<VideoFavoriteStats>> GetVideoStats(std::span<const std::int64_t> video_ids,
                                                        std::int64_t viewer) override {
    return StartGetVideoStats(video_ids, viewer).Get();
  }

  Pending<std::vector<VideoFavoriteStats>> StartGetVideoStats(std::span<const std::int64_t> video_ids,
                                                              std::int64_t viewer) override {
    return rpc::LookUp(video_stats_, video_ids, viewer);
  }

  Result<std::vector<UserFavoriteStats>> GetUserStats(std::span<const std::int64_t> user_ids) override {
    return StartGetUserStats(user_ids).Get();
  }

  Pending<std::vector<UserFavoriteStats>> StartGetUserStats(std::span<const std::int64_t> user_ids) override {
    return rpc::LookUp(user_stats_, user_ids);
  }

 private:
  template <class Start>
  Pending<void> StartAct(std::int64_t user_id, std::int64_t video_id, Start start) {
    wire::VideoRef request;
    request.set_video_id(video_id);
    return rpc::StartUnary<void>(
        instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = user_id}, std::move(request),
        std::move(start), [](const Empty&) { return Ok(); });
  }

  Pending<std::vector<std::vector<VideoFavoriteStats>>> SendGetVideoStats(const std::vector<rpc::ViewerQuery>& queries) {
    wire::GetVideoStatsRequest request;
    for (const auto& query : queries) {
      auto* out = request.add_queries();
      out->set_viewer(query.viewer);
      out->mutable_video_ids()->Add(query.ids.begin(), query.ids.end());
    }
    return rpc::StartUnary<std::vector<std::vector<VideoFavoriteStats>>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetVideoStats(&context, &sent, &response, std::move(done));
        },
        [](const wire::GetVideoStatsResponse& response) {
          std::vector<std::vector<VideoFavoriteStats>> answers;
          answers.reserve(response.answers_size());
          for (const auto& answer : response.answers()) {
            auto& stats = answers.emplace_back();
            stats.reserve(answer.stats_size());
            for (const auto& one : answer.stats()) {
              stats.push_back({.video_id = one.video_id(), .favorite_count = one.favorite_count(),
                               .is_favorite = one.is_favorite()});
            }
          }
          return answers;
        });
  }

  Pending<std::vector<UserFavoriteStats>> SendGetUserStats(const std::vector<std::int64_t>& user_ids) {
    wire::GetUserStatsRequest request;
    request.mutable_user_ids()->Add(user_ids.begin(), user_ids.end());
    return rpc::StartUnary<std::vector<UserFavoriteStats>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetUserStats(&context, &sent, &response, std::move(done));
        },
        [](const wire::GetUserStatsResponse& response) {
          std::vector<UserFavoriteStats> stats;
          stats.reserve(response.stats_size());
          for (const auto& one : response.stats()) {
            stats.push_back({.user_id = one.user_id(), .favorite_count = one.favorite_count(),
                             .total_favorited = one.total_favorited()});
          }
          return stats;
        });
  }

  rpc::Balancer<wire::Favorite> instances_;
  rpc::MergedViewerLookup<VideoFavoriteStats> video_stats_{[this](auto queries) { return SendGetVideoStats(queries); },
                                                           rpc::MergedCallSlots(instances_)};
  rpc::MergedLookup<UserFavoriteStats> user_stats_{
      concurrency::MergingIds<UserFavoriteStats>([this](auto ids) { return SendGetUserStats(ids); },
                                                 [](const UserFavoriteStats& stats) { return stats.user_id; }),
      rpc::MergedCallSlots(instances_)};
};

}  // namespace

rpc::ServedService ServeFavoriteOverGrpc(FavoriteService& service, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(service, dispatcher), wire::Favorite::service_full_name()};
}

rpc::RemoteService<FavoriteService> FavoriteGrpcClient() {
  return rpc::MakeRemoteService<FavoriteService, Client>();
}

}  // namespace minitok::favorite
