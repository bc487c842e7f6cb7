#include "rpc/video/video_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/video/v1/video.grpc.pb.h"
#include "rpc/common/final_records.h"
#include "rpc/common/values.h"

namespace minitok::video {
namespace {

namespace wire = v1;

// States are mapped one by one, so that neither side's numbering leaks into the other.
wire::VideoState ToWire(VideoState state) {
  switch (state) {
    case VideoState::kProcessing:
      return wire::VIDEO_STATE_PROCESSING;
    case VideoState::kReady:
      return wire::VIDEO_STATE_READY;
    case VideoState::kFailed:
      return wire::VIDEO_STATE_FAILED;
  }
  return wire::VIDEO_STATE_PROCESSING;
}

VideoState FromWire(wire::VideoState state) {
  switch (state) {
    case wire::VIDEO_STATE_PROCESSING:
      return VideoState::kProcessing;
    case wire::VIDEO_STATE_READY:
      return VideoState::kReady;
    case wire::VIDEO_STATE_FAILED:
      return VideoState::kFailed;
    default:  // a state this build does not know (from a newer server): not visible yet
      return VideoState::kProcessing;
  }
}

void ToWire(const VideoRecord& video, wire::VideoRecord* out) {
  out->set_id(video.id);
  out->set_author_id(video.author_id);
  out->set_title(video.title);
  out->set_play_path(video.play_path);
  out->set_cover_path(video.cover_path);
  out->set_state(ToWire(video.state));
  out->set_state_reason(video.state_reason);
  out->set_created_ms(video.created_ms);
  out->set_ready_ms(video.ready_ms);
}

VideoRecord FromWire(const wire::VideoRecord& video) {
  return {.id = video.id(),
          .author_id = video.author_id(),
          .title = video.title(),
          .play_path = video.play_path(),
          .cover_path = video.cover_path(),
          .state = FromWire(video.state()),
          .state_reason = video.state_reason(),
          .created_ms = video.created_ms(),
          .ready_ms = video.ready_ms()};
}

void ToWire(const std::vector<VideoRecord>& videos, google::protobuf::RepeatedPtrField<wire::VideoRecord>* out) {
  out->Reserve(static_cast<int>(videos.size()));
  for (const auto& one : videos) ToWire(one, out->Add());
}

std::vector<VideoRecord> FromWire(const google::protobuf::RepeatedPtrField<wire::VideoRecord>& videos) {
  std::vector<VideoRecord> out;
  out.reserve(videos.size());
  for (const auto& one : videos) out.push_back(FromWire(one));
  return out;
}

class Server final : public wire::Video::CallbackService {
 public:
  Server(VideoService& service, rpc::Dispatcher& dispatcher) : service_(service), dispatcher_(dispatcher) {}

  // The author is the user in the metadata, never a field a client could fill in.
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context, const wire::PublishRequest* request,
                                    wire::VideoRecord* response) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request, response](std::int64_t user) -> Status {
      MINITOK_ASSIGN_OR_RETURN(
          const auto video,
          service_.Publish({.author_id = user, .title = request->title(), .upload_path = request->upload_path()}));
      ToWire(video, response);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Feed(grpc::CallbackServerContext* context, const wire::FeedRequest* request,
                                 wire::FeedResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      response->clear_pages();  // a read refused on gRPC's thread runs again on a worker
      for (const auto& query : request->queries()) {
        MINITOK_ASSIGN_OR_RETURN(const auto page, service_.Feed(query.before_ms(), query.limit()));
        auto* out = response->add_pages();
        for (const auto& video : page.videos) out->add_video_ids(video.id);
        out->set_next_time_ms(page.next_time_ms);
      }
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* ListByAuthor(grpc::CallbackServerContext* context,
                                         const wire::ListByAuthorRequest* request, wire::Videos* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto videos,
                               service_.ListByAuthor(request->author_id(), request->include_unready(),
                                                     rpc::FromWire(request->page())));
      ToWire(videos, response->mutable_videos());
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetVideos(grpc::CallbackServerContext* context, const wire::GetVideosRequest* request,
                                      wire::Videos* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto videos, service_.GetVideos(rpc::FromWire(request->ids())));
      ToWire(videos, response->mutable_videos());
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetWorkCounts(grpc::CallbackServerContext* context,
                                          const wire::GetWorkCountsRequest* request,
                                          wire::GetWorkCountsResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto counts, service_.GetWorkCounts(rpc::FromWire(request->user_ids())));
      for (const auto& one : counts) {
        auto* out = response->add_counts();
        out->set_user_id(one.user_id);
        out->set_work_count(one.work_count);
      }
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* FindMedia(grpc::CallbackServerContext* context, const wire::FindMediaRequest* request,
                                      wire::MediaFile* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto media, service_.FindMedia(request->relative_path()));
      response->set_absolute_path(media.absolute_path);
      response->set_content_type(media.content_type);
      return Ok();
    });
  }

 private:
  VideoService& service_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "video";

class Client final : public VideoService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Result<VideoRecord> Publish(const PublishRequest& publish) override {
    wire::PublishRequest request;
    request.set_title(publish.title);
    request.set_upload_path(publish.upload_path);
    wire::VideoRecord response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(
        instances_, {.service = kService, .kind = rpc::CallKind::kWrite, .acting_user = publish.author_id},
        [&](auto& stub, auto& context) { return stub.Publish(&context, request, &response); }));
    return FromWire(response);
  }

  // The page's ids come through a call merged with the other callers' pages; the records are the
  // ready videos kept here (GetVideos), so a page's videos travel once, not with every page.
  Result<FeedPage> Feed(std::int64_t before_ms, int limit) override { return StartFeed(before_ms, limit).Get(); }

  Pending<FeedPage> StartFeed(std::int64_t before_ms, int limit) override {
    if (NonBlockingScope::RefuseBlocking()) return rpc::NetworkRefusedOnEventLoop();
    return feeds_.Add({.before_ms = before_ms, .limit = limit})
        .ThenStart<FeedPage>([this](Result<FeedIds> page) -> Pending<FeedPage> {
          if (!page.ok()) return std::move(page).error();
          return StartGetVideos(page->video_ids)
              .Then<FeedPage>([page = std::move(*page)](Result<std::vector<VideoRecord>> found) -> Result<FeedPage> {
                if (!found.ok()) return std::move(found).error();
                const concurrency::RecordsById<VideoRecord> by_id(*found, [](const VideoRecord& video) { return video.id; });
                return FeedPage{.videos = by_id.InOrderOf(page.video_ids), .next_time_ms = page.next_time_ms};
              });
        });
  }

  Result<std::vector<VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready, Page page) override {
    wire::ListByAuthorRequest request;
    request.set_author_id(author_id);
    request.set_include_unready(include_unready);
    rpc::ToWire(page, request.mutable_page());
    wire::Videos response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService}, [&](auto& stub, auto& context) {
      return stub.ListByAuthor(&context, request, &response);
    }));
    return FromWire(response.videos());
  }

  Result<std::vector<VideoRecord>> GetVideos(std::span<const std::int64_t> ids) override {
    return StartGetVideos(ids).Get();
  }

  Result<std::vector<WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids) override {
    return StartGetWorkCounts(user_ids).Get();
  }

  Pending<std::vector<WorkCount>> StartGetWorkCounts(std::span<const std::int64_t> user_ids) override {
    return rpc::LookUp(work_counts_, user_ids);
  }

  Result<MediaFile> FindMedia(std::string_view relative_path) override {
    wire::FindMediaRequest request;
    request.set_relative_path(std::string(relative_path));
    wire::MediaFile response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService}, [&](auto& stub, auto& context) {
      return stub.FindMedia(&context, request, &response);
    }));
    return MediaFile{.absolute_path = response.absolute_path(), .content_type = response.content_type()};
  }

 private:
  struct FeedQuery {
    std::int64_t before_ms = 0;
    int limit = 0;
  };
  struct FeedIds {
    std::vector<std::int64_t> video_ids;
    std::int64_t next_time_ms = 0;
  };

  // A ready video never changes again (nothing edits, unpublishes or deletes one), so the ready
  // videos found are kept here and only the other ids travel: a like asks the video service once
  // per video, not once per like.
  Pending<std::vector<VideoRecord>> StartGetVideos(std::span<const std::int64_t> ids) {
    auto [videos, missing] = ready_.Split(ids);
    if (missing.empty()) return std::move(videos);
    wire::GetVideosRequest request;
    request.mutable_ids()->Add(missing.begin(), missing.end());
    return rpc::StartUnary<std::vector<VideoRecord>>(
        instances_, {.service = kService}, std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetVideos(&context, &sent, &response, std::move(done));
        },
        [this, videos = std::move(videos)](const wire::Videos& response) {
          std::vector<VideoRecord> all = videos;
          for (auto& video : FromWire(response.videos())) {
            ready_.Offer(video.id, video, video.state == VideoState::kReady);
            all.push_back(std::move(video));
          }
          return all;
        });
  }

  Pending<std::vector<FeedIds>> SendFeeds(const std::vector<FeedQuery>& queries) {
    wire::FeedRequest request;
    for (const auto& query : queries) {
      auto* out = request.add_queries();
      out->set_before_ms(query.before_ms);
      out->set_limit(query.limit);
    }
    return rpc::StartUnary<std::vector<FeedIds>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->Feed(&context, &sent, &response, std::move(done));
        },
        [](const wire::FeedResponse& response) {
          std::vector<FeedIds> pages;
          pages.reserve(response.pages_size());
          for (const auto& page : response.pages()) {
            pages.push_back({.video_ids = {page.video_ids().begin(), page.video_ids().end()},
                             .next_time_ms = page.next_time_ms()});
          }
          return pages;
        });
  }

  Pending<std::vector<WorkCount>> SendGetWorkCounts(const std::vector<std::int64_t>& user_ids) {
    wire::GetWorkCountsRequest request;
    request.mutable_user_ids()->Add(user_ids.begin(), user_ids.end());
    return rpc::StartUnary<std::vector<WorkCount>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetWorkCounts(&context, &sent, &response, std::move(done));
        },
        [](const wire::GetWorkCountsResponse& response) {
          std::vector<WorkCount> counts;
          counts.reserve(response.counts_size());
          for (const auto& one : response.counts()) {
            counts.push_back({.user_id = one.user_id(), .work_count = one.work_count()});
          }
          return counts;
        });
  }

  // Declared first, destroyed last: the answers of calls still out fill it (the lookups and the
  // balancer below wait for those calls when they go).
  static constexpr std::size_t kReadyKept = 200'000;  // about 200 bytes each
  rpc::FinalRecords<VideoRecord> ready_{kReadyKept};
  rpc::Balancer<wire::Video> instances_;
  concurrency::Coalescer<FeedQuery, FeedIds> feeds_{[this](auto queries) { return SendFeeds(queries); },
                                                     rpc::MergedCallSlots(instances_)};
  rpc::MergedLookup<WorkCount> work_counts_{
      concurrency::MergingIds<WorkCount>([this](auto ids) { return SendGetWorkCounts(ids); },
                                         [](const WorkCount& count) { return count.user_id; }),
      rpc::MergedCallSlots(instances_)};
};

}  // namespace

rpc::ServedService ServeVideoOverGrpc(VideoService& service, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(service, dispatcher), wire::Video::service_full_name()};
}

rpc::RemoteService<VideoService> VideoGrpcClient() {
  return rpc::MakeRemoteService<VideoService, Client>();
}

}  // namespace minitok::video
