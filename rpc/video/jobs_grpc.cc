#include "rpc/video/jobs_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/video/v1/video.grpc.pb.h"

namespace minitok::video {
namespace {

namespace wire = v1;

class Server final : public wire::TranscodeJobs::CallbackService {
 public:
  Server(TranscodeJobs& jobs, rpc::Dispatcher& dispatcher) : jobs_(jobs), dispatcher_(dispatcher) {}

  grpc::ServerUnaryReactor* ClaimDueJob(grpc::CallbackServerContext* context, const wire::ClaimDueJobRequest*,
                                        wire::ClaimDueJobResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto job, jobs_.ClaimDueJob());
      if (!job) return Ok();
      auto* out = response->mutable_job();
      out->set_video_id(job->video_id);
      out->set_attempts(job->attempts);
      out->set_media_key(job->media_key);
      out->set_original_path(job->original_path);
      out->set_duration_ms(job->duration_ms);
      out->set_has_audio(job->has_audio);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* NextDueTime(grpc::CallbackServerContext* context, const wire::NextDueTimeRequest*,
                                        wire::NextDueTimeResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto due, jobs_.NextDueTime());
      if (due) response->set_due_ms(*due);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* MarkReady(grpc::CallbackServerContext* context, const wire::MarkReadyRequest* request,
                                      wire::JobAck*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t) {
      return jobs_.MarkReady(request->video_id(), request->play_path(), request->keep_original());
    });
  }

  grpc::ServerUnaryReactor* RetryLater(grpc::CallbackServerContext* context, const wire::RetryLaterRequest* request,
                                       wire::JobAck*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t) {
      return jobs_.RetryLater(request->video_id(), request->attempts(), request->due_ms(), request->reason());
    });
  }

  grpc::ServerUnaryReactor* MarkFailed(grpc::CallbackServerContext* context, const wire::MarkFailedRequest* request,
                                       wire::JobAck*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t) {
      return jobs_.MarkFailed(request->video_id(), request->reason());
    });
  }

  grpc::ServerUnaryReactor* SetStateReason(grpc::CallbackServerContext* context,
                                           const wire::SetStateReasonRequest* request, wire::JobAck*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite, [this, request](std::int64_t) {
      return jobs_.SetStateReason(request->video_id(), request->reason());
    });
  }

  grpc::ServerUnaryReactor* Trash(grpc::CallbackServerContext* context, const wire::TrashRequest*,
                                  wire::TrashResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto paths, jobs_.Trash());
      for (const auto& path : paths) response->add_paths(path);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* ForgetTrash(grpc::CallbackServerContext* context, const wire::ForgetTrashRequest* request,
                                        wire::JobAck*) override {
    return dispatcher_.Respond(context, rpc::Work::kWrite,
                               [this, request](std::int64_t) { return jobs_.ForgetTrash(request->path()); });
  }

 private:
  TranscodeJobs& jobs_;
  rpc::Dispatcher& dispatcher_;
};

constexpr std::string_view kService = "video";
constexpr rpc::CallSpec kWrite{.service = kService, .kind = rpc::CallKind::kWrite};
constexpr rpc::CallSpec kRead{.service = kService};

class Client final : public TranscodeJobs {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Result<std::optional<Job>> ClaimDueJob() override {
    wire::ClaimDueJobResponse response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, kWrite, [&](auto& stub, auto& context) {
      return stub.ClaimDueJob(&context, wire::ClaimDueJobRequest(), &response);
    }));
    if (!response.has_job()) return std::optional<Job>();
    const auto& job = response.job();
    return std::optional<Job>(Job{.video_id = job.video_id(),
                                  .attempts = job.attempts(),
                                  .media_key = job.media_key(),
                                  .original_path = job.original_path(),
                                  .duration_ms = job.duration_ms(),
                                  .has_audio = job.has_audio()});
  }

  Result<std::optional<std::int64_t>> NextDueTime() override {
    wire::NextDueTimeResponse response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, kRead, [&](auto& stub, auto& context) {
      return stub.NextDueTime(&context, wire::NextDueTimeRequest(), &response);
    }));
    return response.has_due_ms() ? std::optional(response.due_ms()) : std::nullopt;
  }

  Status MarkReady(std::int64_t video_id, const std::string& play_path, bool keep_original) override {
    wire::MarkReadyRequest request;
    request.set_video_id(video_id);
    request.set_play_path(play_path);
    request.set_keep_original(keep_original);
    return Acknowledged(&wire::TranscodeJobs::Stub::MarkReady, request);
  }

  Status RetryLater(std::int64_t video_id, std::int64_t attempts, std::int64_t due_ms,
                    const std::string& reason) override {
    wire::RetryLaterRequest request;
    request.set_video_id(video_id);
    request.set_attempts(attempts);
    request.set_due_ms(due_ms);
    request.set_reason(reason);
    return Acknowledged(&wire::TranscodeJobs::Stub::RetryLater, request);
  }

  Status MarkFailed(std::int64_t video_id, const std::string& reason) override {
    wire::MarkFailedRequest request;
    request.set_video_id(video_id);
    request.set_reason(reason);
    return Acknowledged(&wire::TranscodeJobs::Stub::MarkFailed, request);
  }

  Status SetStateReason(std::int64_t video_id, const std::string& reason) override {
    wire::SetStateReasonRequest request;
    request.set_video_id(video_id);
    request.set_reason(reason);
    return Acknowledged(&wire::TranscodeJobs::Stub::SetStateReason, request);
  }

  Result<std::vector<std::string>> Trash() override {
    wire::TrashResponse response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, kRead, [&](auto& stub, auto& context) {
      return stub.Trash(&context, wire::TrashRequest(), &response);
    }));
    return std::vector<std::string>(response.paths().begin(), response.paths().end());
  }

  Status ForgetTrash(const std::string& path) override {
    wire::ForgetTrashRequest request;
    request.set_path(path);
    return Acknowledged(&wire::TranscodeJobs::Stub::ForgetTrash, request);
  }

 private:
  template <class Request>
  using Action = grpc::Status (wire::TranscodeJobs::Stub::*)(grpc::ClientContext*, const Request&, wire::JobAck*);

  template <class Request>
  Status Acknowledged(Action<Request> action, const Request& request) {
    wire::JobAck ack;
    return rpc::CallUnary(instances_, kWrite,
                          [&](auto& stub, auto& context) { return (stub.*action)(&context, request, &ack); });
  }

  rpc::Balancer<wire::TranscodeJobs> instances_;
};

}  // namespace

rpc::ServedService ServeTranscodeJobsOverGrpc(TranscodeJobs& jobs, rpc::Dispatcher& dispatcher) {
  return {std::make_shared<Server>(jobs, dispatcher), wire::TranscodeJobs::service_full_name()};
}

rpc::RemoteService<TranscodeJobs> TranscodeJobsGrpcClient() {
  return rpc::MakeRemoteService<TranscodeJobs, Client>();
}

}  // namespace minitok::video
