#include "libs/http/server.h"

#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "libs/core/call_context.h"
#include "libs/core/clock.h"
#include "libs/http/form.h"
#include "libs/json/json_writer.h"
#include "libs/security/token_codec.h"

namespace minitok::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// A connection as the shutdown path sees it: idle ones (waiting for a next request) are closed
/// at once, busy ones finish their current request.
struct SessionSlot {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

/// One event loop: an io_context run by one thread, and the sessions it owns (touched only
/// from that thread).
struct Loop {
  asio::io_context io{1};
  std::unordered_set<SessionSlot*> sessions;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
};

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return Method::kGet;
    case bhttp::verb::head: return Method::kHead;
    case bhttp::verb::post: return Method::kPost;
    case bhttp::verb::put: return Method::kPut;
    case bhttp::verb::delete_: return Method::kDelete;
    case bhttp::verb::options: return Method::kOptions;
    case bhttp::verb::patch: return Method::kPatch;
    default: return Method::kOther;
  }
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// An async_initiate'd operation's handler, as a callable that any thread may call once with the
/// result: the handler then runs on its own executor (the loop that owns the connection).
template <class Handler>
auto CompletionOnItsLoop(Handler handler) {
  auto shared = std::make_shared<Handler>(std::move(handler));
  return [shared](auto result) {
    auto executor = asio::get_associated_executor(*shared);
    asio::post(executor, [shared, result = std::move(result)]() mutable { (*shared)(std::move(result)); });
  };
}

/// Every service call a handler makes carries the request's deadline, id and trace.
CallContext ContextOf(const Request& request) {
  const auto traceparent = request.Header("traceparent");
  return {.deadline = request.deadline,
          .request_id = request.request_id,
          .traceparent = traceparent && IsTraceparent(*traceparent) ? std::string(*traceparent) : std::string()};
}

bool IsQuietDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::error::connection_reset || ec == asio::error::bad_descriptor ||
         ec == bhttp::error::partial_message;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, ServerResponders resp, concurrency::ThreadPool& w,
       concurrency::ThreadPool& h, log::Logger& l)
      : options(std::move(o)), router(r), responders(std::move(resp)), workers(w), hashing(h), logger(l),
        id_prefix(security::RandomHex(4)) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options.io_threads); ++i) {
      loops.push_back(std::make_unique<Loop>());
    }
  }

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket, Loop& loop);
  asio::awaitable<Response> Dispatch(const Route& route, Request& request);
  /// Runs a starting handler; `complete` gets its reply, or a 500 if it threw before replying.
  template <class Complete>
  void Start(const Route& route, Request& request, Complete complete);
  /// The route's admission of `request` as it comes (an exception becomes a 500 refusal). Most
  /// decide at once; only one that waits on another server needs Await().
  Admission AdmissionOf(const Route& route, const Request& request);
  /// Waits for an admission decided later: the refusal, or nullopt when it may be served.
  asio::awaitable<std::optional<Response>> Await(Admission& admission);
  asio::awaitable<void> Write(beast::tcp_stream& stream, Request& request, Response& response,
                              bool keep_alive, beast::error_code& ec);
  /// Before closing after a rejection: drops what the client still sends, for a bounded time.
  asio::awaitable<void> Linger(beast::tcp_stream& stream);
  /// Runs the route's handler, or with `fast_path` its fast path (nullopt: not answered there);
  /// an exception is logged and answered 500.
  std::optional<Response> Invoke(const Route& route, Request& request, bool fast_path = false);
  void BeginShutdown();
  void LogAccess(const Request& request, const Route* route, const Response& response,
                 std::chrono::steady_clock::time_point started, std::uint64_t bytes);

  ServerOptions options;
  const Router& router;
  ServerResponders responders;
  concurrency::ThreadPool& workers;
  concurrency::ThreadPool& hashing;
  log::Logger& logger;
  std::string id_prefix;
  std::vector<std::unique_ptr<Loop>> loops;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::signal_set> signals;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_request{0};
  std::mutex shutdown_mutex;
  std::condition_variable shutdown_done;
  bool loops_finished = false;
  std::thread watchdog;
};

Server::Server(ServerOptions options, const Router& router, ServerResponders responders,
               concurrency::ThreadPool& workers, concurrency::ThreadPool& hashing, log::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(responders), workers, hashing,
                                   logger)) {}

Server::~Server() = default;

Result<std::uint16_t> Server::Listen() {
  auto& io = impl_->loops.front()->io;
  beast::error_code ec;
  const std::string host = impl_->options.host == "localhost" ? "127.0.0.1" : impl_->options.host;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return MakeError(Code::kInvalidArgument, "cannot listen on \"" + host + "\": not an IP address");
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  const tcp::endpoint endpoint(address, impl_->options.port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(Code::kUnavailable, "cannot listen on " + host + ":" +
                                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  const auto port = acceptor->local_endpoint().port();
  impl_->acceptor = std::move(acceptor);
  // Catch SIGINT/SIGTERM from now on: a signal that arrives before Run() is queued, not fatal.
  impl_->signals = std::make_unique<asio::signal_set>(io, SIGINT, SIGTERM);
  return port;
}

void Server::Run() {
  Impl& impl = *impl_;
  auto& main_loop = *impl.loops.front();
  for (auto& loop : impl.loops) loop->guard.emplace(loop->io.get_executor());
  if (!impl.acceptor) return;  // Listen() failed or was not called
  impl.signals->async_wait([&impl](const beast::error_code& ec, int) {
    if (!ec) impl.BeginShutdown();
  });
  asio::co_spawn(main_loop.io, impl.Accept(), asio::detached);

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl.loops.size(); ++i) {
    threads.emplace_back([loop = impl.loops[i].get()] {
      pthread_setname_np(pthread_self(), "minitok-io");
      loop->io.run();
    });
  }
  main_loop.io.run();
  for (auto& thread : threads) thread.join();
  {
    std::lock_guard lock(impl.shutdown_mutex);
    impl.loops_finished = true;
  }
  impl.shutdown_done.notify_all();
  if (impl.watchdog.joinable()) impl.watchdog.join();
}

void Server::Impl::BeginShutdown() {
  if (stopping.exchange(true)) return;
  logger.Info("shutting down: no new connections, finishing requests in flight");
  beast::error_code ignored;
  if (acceptor) acceptor->close(ignored);
  if (signals) signals->cancel(ignored);
  for (auto& loop : loops) {
    asio::post(loop->io, [loop = loop.get()] {
      for (SessionSlot* slot : loop->sessions) {
        if (slot->idle) beast::get_lowest_layer(*slot->stream).socket().close();
      }
      loop->guard.reset();
    });
  }
  // Requests that do not finish within the grace period are cut off.
  watchdog = std::thread([this] {
    std::unique_lock lock(shutdown_mutex);
    if (!shutdown_done.wait_for(lock, options.shutdown_grace, [this] { return loops_finished; })) {
      for (auto& loop : loops) loop->io.stop();
    }
  });
}

asio::awaitable<void> Server::Impl::Accept() {
  std::size_t next_loop = 0;
  for (;;) {
    Loop& loop = *loops[next_loop++ % loops.size()];
    auto [ec, socket] = co_await acceptor->async_accept(loop.io, kTuple);
    if (stopping) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: back off instead of spinning.
      logger.Warn("accept failed: " + ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (connections.load() >= options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++connections;
    asio::co_spawn(loop.io, Session(std::move(socket), loop), asio::detached);
  }
}

std::optional<Response> Server::Impl::Invoke(const Route& route, Request& request, bool fast_path) {
  const CallScope call(ContextOf(request));
  try {
    if (fast_path) return route.fast_path ? route.fast_path(request) : std::nullopt;
    return route.handler(request);
  } catch (const std::exception& e) {
    logger.Error(std::string("handler threw: ") + e.what());
  } catch (...) {
    logger.Error("handler threw a non-exception");
  }
  return Response::Text(500, "internal server error\n");
}

template <class Complete>
void Server::Impl::Start(const Route& route, Request& request, Complete complete) {
  const auto replied = std::make_shared<std::atomic<bool>>(false);
  auto reply_once = [replied, complete](Response response) mutable {
    if (!replied->exchange(true)) complete(std::move(response));
  };
  const CallScope call(ContextOf(request));
  try {
    route.start(request, reply_once);
    return;
  } catch (const std::exception& e) {
    logger.Error(std::string("handler threw: ") + e.what());
  } catch (...) {
    logger.Error("handler threw a non-exception");
  }
  reply_once(Response::Text(500, "internal server error\n"));
}

asio::awaitable<Response> Server::Impl::Dispatch(const Route& route, Request& request) {
  if (route.executor == Executor::kEventLoop && !route.start) co_return *Invoke(route, request);
  concurrency::ThreadPool& pool = route.executor == Executor::kHashing ? hashing : workers;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [this, &pool, &route, &request](auto handler) {
        auto complete = CompletionOnItsLoop(std::move(handler));
        if (route.executor == Executor::kEventLoop) {
          Start(route, request, complete);
          return;
        }
        const bool queued = pool.TrySubmit([this, &route, &request, complete]() mutable {
          // Time spent queued counts against the deadline: a request the client has likely
          // given up on is not worth running.
          if (std::chrono::steady_clock::now() > request.deadline) {
            complete(responders.busy());
            return;
          }
          if (route.start) {
            Start(route, request, complete);
          } else {
            complete(*Invoke(route, request));
          }
        });
        if (!queued) complete(responders.busy());
      },
      asio::use_awaitable);
}

Admission Server::Impl::AdmissionOf(const Route& route, const Request& request) {
  try {
    return route.admit(request);
  } catch (const std::exception& e) {
    logger.Error(std::string("admission threw: ") + e.what());
  }
  return {.refusal = Response::Text(500, "internal server error\n")};
}

asio::awaitable<std::optional<Response>> Server::Impl::Await(Admission& admission) {
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<Response>)>(
      [&admission](auto handler) {
        auto complete = CompletionOnItsLoop(std::move(handler));
        admission.decide_later([complete](std::optional<Response> refusal) { complete(std::move(refusal)); });
      },
      asio::use_awaitable);
}

asio::awaitable<void> Server::Impl::Write(beast::tcp_stream& stream, Request& request, Response& response,
                                          bool keep_alive, beast::error_code& ec) {
  const bool head = request.method == Method::kHead;
  const auto fill = [&](auto& message) {
    message.set(bhttp::field::content_type, response.content_type);
    message.set("X-Request-Id", request.request_id);
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(keep_alive);
  };
  stream.expires_after(options.body_timeout);
  if (response.file || head) {
    bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(response.status), 11};
    fill(header);
    std::uint64_t length = response.file ? response.file->length : response.body.size();
    if (response.head_length) length = *response.head_length;
    header.content_length(length);
    std::tie(ec, std::ignore) = co_await bhttp::async_write(stream, header, kTuple);
    if (ec || head || !response.file) co_return;
    // Stream the file range in chunks; reads hit the page cache for hot media.
    std::vector<char> chunk(256 * 1024);
    std::uint64_t offset = response.file->offset;
    std::uint64_t remaining = response.file->length;
    while (remaining > 0) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk.size()));
      const ssize_t got = pread(response.file->fd, chunk.data(), want, static_cast<off_t>(offset));
      if (got <= 0) {
        ec = asio::error::broken_pipe;
        co_return;
      }
      stream.expires_after(options.body_timeout);
      std::tie(ec, std::ignore) =
          co_await asio::async_write(stream, asio::buffer(chunk.data(), static_cast<std::size_t>(got)), kTuple);
      if (ec) co_return;
      offset += static_cast<std::uint64_t>(got);
      remaining -= static_cast<std::uint64_t>(got);
    }
    co_return;
  }
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), 11};
  fill(message);
  message.body() = std::move(response.body);
  message.prepare_payload();
  std::tie(ec, std::ignore) = co_await bhttp::async_write(stream, message, kTuple);
}

void Server::Impl::LogAccess(const Request& request, const Route* route, const Response& response,
                             std::chrono::steady_clock::time_point started, std::uint64_t bytes) {
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  json::JsonWriter line;
  line.BeginObject()
      .Member("ts_ms", SystemClock().NowMs())
      .Member("request_id", request.request_id)
      .Member("remote", request.remote_address)
      .Member("method", MethodName(request.method))
      .Member("route", route != nullptr ? std::string_view(route->pattern) : std::string_view("-"))
      .Member("status", response.status)
      .Member("api_status", response.api_status)
      .Key("latency_ms").Double(static_cast<double>(latency.count()) / 1000.0)
      .Member("bytes", static_cast<std::int64_t>(bytes))
      .EndObject();
  logger.Raw(line.str());
}

asio::awaitable<void> Server::Impl::Session(tcp::socket socket, Loop& loop) {
  beast::tcp_stream stream(std::move(socket));
  SessionSlot slot{&stream, true};
  loop.sessions.insert(&slot);
  struct Cleanup {
    Loop& loop;
    SessionSlot& slot;
    std::atomic<std::size_t>& connections;
    ~Cleanup() {
      loop.sessions.erase(&slot);
      --connections;
    }
  } cleanup{loop, slot, connections};

  beast::error_code ec;
  std::string remote;
  if (const auto endpoint = stream.socket().remote_endpoint(ec); !ec) {
    remote = endpoint.address().to_string();
  }
  std::string local;
  if (const auto endpoint = stream.socket().local_endpoint(ec); !ec) {
    const auto address = endpoint.address();
    local = (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
            std::to_string(endpoint.port());
  }
  beast::flat_buffer buffer;
  // An answer to a request that never reached a handler; the connection ends after it. It is
  // written after the loop, never from a temporary inside a co_await expression (GCC 12
  // destroys such temporaries twice).
  std::optional<Response> rejection;
  Request rejected;
  // Refusals (rate limits) in a row on this connection: after the first, each waits before it is
  // written, so a client hammering a limit through keep-alive costs the loop little.
  int refused_in_a_row = 0;

  while (!stopping) {
    bhttp::request_parser<bhttp::empty_body> header_parser;
    header_parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    header_parser.body_limit(boost::none);  // checked below, once the route is known
    stream.expires_after(options.header_timeout);
    slot.idle = true;
    std::tie(ec, std::ignore) = co_await bhttp::async_read_header(stream, buffer, header_parser, kTuple);
    slot.idle = false;
    if (ec && ((IsQuietDisconnect(ec) && buffer.size() == 0) || ec == beast::error::timeout ||
               ec == asio::error::operation_aborted)) {
      break;  // the client went away or stayed idle: nothing to answer
    }
    const auto started = std::chrono::steady_clock::now();
    Request request;
    request.request_id = id_prefix + "-" + std::to_string(++next_request);
    request.remote_address = remote;
    request.local_authority = local;
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        rejection = Response::Text(431, "request header fields too large\n");
      } else if (!IsQuietDisconnect(ec)) {
        rejection = Response::Text(400, "malformed HTTP request\n");
      }
      rejected = std::move(request);
      break;
    }

    auto& header = header_parser.get();
    request.method = ToMethod(header.method());
    request.target = std::string(header.target());
    for (const auto& field : header) {
      request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    const std::string_view target = request.target;
    const auto question = target.find('?');
    auto path = PercentDecode(target.substr(0, question), false);
    if (!path || path->empty() || path->front() != '/' ||
        (question != std::string_view::npos &&
         !ParseUrlEncoded(target.substr(question + 1), request.params, false))) {
      rejection = Response::Text(400, "malformed request target\n");
      rejected = std::move(request);
      break;
    }
    request.path = std::move(*path);
    const RouteMatch match = router.Match(request.method, request.path);
    const bool keep_alive = header.keep_alive();
    const std::string content_type(header[bhttp::field::content_type]);
    const auto boundary = MultipartBoundary(content_type);
    const bool streams_upload = match.route != nullptr && match.method_allowed &&
                                match.route->streams_upload && boundary.has_value();
    const std::uint64_t limit = streams_upload ? options.max_upload_bytes : options.max_body_bytes;
    if (const auto declared = header_parser.content_length(); declared && *declared > limit) {
      rejection = streams_upload ? responders.upload_too_large(limit)
                                 : Response::Text(413, "request body too large\n");
      rejected = std::move(request);
      break;
    }
    if (streams_upload) {
      struct statvfs disk {};
      const std::uint64_t incoming = header_parser.content_length().value_or(0);
      if (statvfs(options.upload_dir.c_str(), &disk) == 0 &&
          static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize < options.min_free_disk_bytes + incoming) {
        rejection = responders.disk_full();
        rejected = std::move(request);
        break;
      }
    }
    // A route that streams uploads is admitted before its body is read: a refused upload costs
    // nothing but its headers.
    if (streams_upload && match.route->admit) {
      Admission admission = AdmissionOf(*match.route, request);
      std::optional<Response> refusal;
      if (admission.decide_later) {
        refusal = co_await Await(admission);
      } else {
        refusal = std::move(admission.refusal);
      }
      if (refusal) {
        rejection = std::move(refusal);
        rejected = std::move(request);
        break;
      }
    }
    if (Lower(header[bhttp::field::expect]) == "100-continue") {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      std::tie(ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(kContinue), kTuple);
      if (ec) break;
    }

    stream.expires_after(options.body_timeout);
    std::optional<Response> early;  // an answer decided while reading the body
    if (streams_upload) {
      bhttp::request_parser<bhttp::buffer_body> parser{std::move(header_parser)};
      parser.body_limit(limit);
      FormCollector collector(request.params, options.upload_dir, 64 * 1024);
      MultipartParser multipart(*boundary, collector);
      std::vector<char> chunk(128 * 1024);
      bool form_ok = true;
      while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        std::tie(ec, std::ignore) = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) break;
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (form_ok && got > 0 && !multipart.Feed(std::string_view(chunk.data(), got))) form_ok = false;
        stream.expires_after(options.body_timeout);
      }
      if (!ec && (!form_ok || !multipart.Finish())) {
        early = responders.bad_form(collector.error().empty() ? multipart.error() : collector.error());
      } else if (!ec) {
        request.upload = collector.TakeUpload();
      }
    } else {
      bhttp::request_parser<bhttp::string_body> parser{std::move(header_parser)};
      parser.body_limit(limit);
      // Read piece by piece so that the timeout is an idle one: a slow but steady client is
      // never cut, one that stops sending is.
      while (!ec && !parser.is_done()) {
        std::tie(ec, std::ignore) = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
        stream.expires_after(options.body_timeout);
      }
      if (!ec) request.body = parser.release().body();
    }
    if (ec == bhttp::error::body_limit) {
      rejection = streams_upload ? responders.upload_too_large(limit) : Response::Text(413, "request body too large\n");
      rejected = std::move(request);
      break;
    }
    if (ec) {
      if (!IsQuietDisconnect(ec)) rejection = Response::Text(400, "malformed HTTP body\n");
      rejected = std::move(request);
      break;
    }
    if (!streams_upload) {
      if (boundary) {
        FormCollector collector(request.params, "", options.max_body_bytes);
        MultipartParser multipart(*boundary, collector);
        if (!multipart.Feed(request.body) || !multipart.Finish()) {
          early = responders.bad_form(collector.error().empty() ? multipart.error() : collector.error());
        }
      } else if (Lower(content_type.substr(0, content_type.find(';'))) ==
                 "application/x-www-form-urlencoded") {
        if (!ParseUrlEncoded(request.body, request.params, true)) {
          rejection = Response::Text(400, "malformed form body\n");
          rejected = std::move(request);
          break;
        }
      }
    }

    std::optional<Response> refusal;
    if (!streams_upload && !early && match.route != nullptr && match.method_allowed && match.route->admit) {
      // Decided at once (local buckets) without a coroutine frame; suspended only to wait on Redis.
      Admission admission = AdmissionOf(*match.route, request);
      if (admission.decide_later) {
        refusal = co_await Await(admission);
      } else {
        refusal = std::move(admission.refusal);
      }
    }
    // From here on the request is whole: its handler, and the service calls it makes, have the
    // request deadline to answer in (a slow upload does not eat into it).
    request.deadline = std::chrono::steady_clock::now() + options.request_deadline;
    Response response;
    if (match.route == nullptr) {
      response = Response::Text(404, "not found\n");
    } else if (!match.method_allowed) {
      response = Response::Text(405, "method not allowed\n");
      std::string allow;
      for (const Method m : match.route->methods) {
        allow += (allow.empty() ? "" : ", ") + std::string(MethodName(m));
      }
      response.headers.emplace_back("Allow", allow);
    } else if (early) {
      response = std::move(*early);
    } else if (refusal) {
      response = std::move(*refusal);
      if (refused_in_a_row++ > 0) {
        asio::steady_timer pause(co_await asio::this_coro::executor, options.repeated_refusal_delay);
        co_await pause.async_wait(kTuple);
      }
    } else if (auto fast = Invoke(*match.route, request, true); fast) {
      response = std::move(*fast);
    } else {
      response = co_await Dispatch(*match.route, request);
    }
    if (!refusal) refused_in_a_row = 0;
    const bool keep = keep_alive && !response.close_connection && !stopping;
    const std::uint64_t bytes = response.file ? response.file->length : response.body.size();
    co_await Write(stream, request, response, keep, ec);
    LogAccess(request, match.route, response, started, bytes);
    if (ec || !keep) break;
  }
  if (rejection) {
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t bytes = rejection->body.size();
    co_await Write(stream, rejected, *rejection, false, ec);
    LogAccess(rejected, nullptr, *rejection, started, bytes);
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (rejection && !ec) co_await Linger(stream);
}

asio::awaitable<void> Server::Impl::Linger(beast::tcp_stream& stream) {
  // A rejected request's body may still be arriving (an upload refused before it was read).
  // Closing with unread bytes resets the connection, and a client still sending may then lose
  // the answer; so what arrives is read and dropped for a moment first, as nginx's lingering close.
  constexpr auto kLingerTime = std::chrono::seconds(2);
  constexpr std::uint64_t kLingerBytes = 8 << 20;
  const auto until = std::chrono::steady_clock::now() + kLingerTime;
  std::vector<char> sink(64 * 1024);
  std::uint64_t dropped = 0;
  while (dropped < kLingerBytes && !stopping) {
    stream.expires_at(until);
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
    if (ec) break;
    dropped += n;
  }
}

}  // namespace minitok::http
