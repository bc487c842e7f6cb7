#pragma once
// The HTTP/1.1 server: Asio event loops (one io_context per thread) reading requests with
// limits and timeouts, then one hop to the route's pool and back to write the response.
// Beast and Asio are confined to server.cc.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "libs/concurrency/thread_pool.h"
#include "libs/core/result.h"
#include "libs/http/router.h"
#include "libs/log/logger.h"

namespace minitok::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t io_threads = 1;
  std::uint64_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 1 << 20;
  std::uint64_t max_upload_bytes = 200ull << 20;
  std::size_t max_connections = 10000;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{60000};
  /// A request still queued for its pool after this long is answered "busy" instead.
  std::chrono::milliseconds request_deadline{10000};
  std::chrono::milliseconds shutdown_grace{10000};
  /// A request refused by its route's admission (a rate limit) right after another refusal on the
  /// same connection is answered only after this pause (the first refusal is answered at once).
  std::chrono::milliseconds repeated_refusal_delay{1000};
  /// Where streamed uploads are written while they arrive.
  std::string upload_dir;
  /// Uploads are refused while upload_dir's disk has less free space than this (plus the upload).
  std::uint64_t min_free_disk_bytes = 0;
};

/// Answers produced by the server itself (queue full, upload too large); the API layer
/// supplies them so that they carry its envelope.
struct ServerResponders {
  std::function<Response()> busy;
  std::function<Response(std::uint64_t limit_bytes)> upload_too_large;
  std::function<Response(std::string_view message)> bad_form;
  std::function<Response()> disk_full;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, ServerResponders responders,
         concurrency::ThreadPool& workers, concurrency::ThreadPool& hashing, log::Logger& logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens; returns the bound port (useful with port 0).
  Result<std::uint16_t> Listen();
  /// Serves until SIGINT/SIGTERM; then stops accepting, lets in-flight requests finish (up to
  /// shutdown_grace) and returns.
  void Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minitok::http
