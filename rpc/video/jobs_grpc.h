#pragma once
// The video service's transcode jobs over gRPC (service TranscodeJobs in
// api/minitok/video/v1/video.proto), for media workers in their own processes.

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/video/transcode_jobs.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::video {

/// Serves `jobs` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeTranscodeJobsOverGrpc(TranscodeJobs& jobs, rpc::Dispatcher& dispatcher);
/// TranscodeJobs whose calls go to the video service's remote instances.
rpc::RemoteService<TranscodeJobs> TranscodeJobsGrpcClient();

}  // namespace minitok::video
