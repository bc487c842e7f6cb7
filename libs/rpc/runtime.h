#pragma once
// Process-wide settings of the gRPC runtime, made once before the first channel or server.

namespace minitok::rpc {

/// Debian builds abseil, which gRPC locks with, without NDEBUG, so every abseil Mutex acquisition
/// also records lock order in one global deadlock graph under one global lock: measured at a
/// tenth of a split gateway's time. minitok's own locks are std::mutex; this turns the graph off.
void PrepareGrpcRuntime();

}  // namespace minitok::rpc
