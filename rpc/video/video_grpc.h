#pragma once
// The video service over gRPC (api/minitok/video/v1/video.proto).

#include "libs/rpc/endpoints.h"
#include "libs/rpc/server.h"
#include "services/video/video_service.h"

namespace minitok::rpc {
class Dispatcher;
}  // namespace minitok::rpc

namespace minitok::video {

/// Serves `service` (which must outlive it); calls run through `dispatcher`.
rpc::ServedService ServeVideoOverGrpc(VideoService& service, rpc::Dispatcher& dispatcher);
/// A VideoService whose calls go to remote instances.
rpc::RemoteService<VideoService> VideoGrpcClient();

}  // namespace minitok::video
