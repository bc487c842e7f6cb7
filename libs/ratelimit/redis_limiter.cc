#include "libs/ratelimit/redis_limiter.h"

#include <hiredis/hiredis.h>

#include <signal.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace minitok::ratelimit {
namespace {

// KEYS: the buckets. ARGV: refill_every_ms, burst and cost of each, in that order. Returns
// {allowed, retry_after_ms, refused_check}. Mirrors token_bucket.cc on Redis's clock (TIME in a
// script that writes needs Redis 5 or later); each key expires when its bucket is full again.
constexpr std::string_view kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local full_at = {}
local refused, longest = -1, 0
for i = 1, #KEYS do
  local every, burst, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local f = tonumber(redis.call('GET', KEYS[i]) or now)
  if f < now then f = now end
  full_at[i] = f
  local wait = (f - now) + math.max(cost, 1) * every - burst * every
  if cost >= 0 and wait > 0 and (refused < 0 or wait > longest) then refused, longest = i - 1, wait end
end
if refused >= 0 then return {0, longest, refused} end
for i = 1, #KEYS do
  local every, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i])
  if cost ~= 0 then
    local f = math.max(full_at[i] + cost * every, now)
    if f > now then
      redis.call('SET', KEYS[i], string.format('%d', f), 'PX', string.format('%d', f - now))
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
return {1, 0, 0}
)lua";

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval ToTimeval(std::chrono::milliseconds ms) {
  return {.tv_sec = static_cast<time_t>(ms.count() / 1000), .tv_usec = static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
}

struct Pending {
  std::vector<Check> checks;
  VerdictCallback later;
};

}  // namespace

std::string RedisEndpoint::ToString() const {
  if (!unix_path.empty()) return "unix://" + unix_path;
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return MakeError(Code::kInvalidArgument,
                     "--redis must be redis://HOST:PORT or unix:///path/to/redis.sock (" + std::string(why) + ")");
  };
  RedisEndpoint endpoint;
  if (url.starts_with("unix://")) {
    endpoint.unix_path = std::string(url.substr(7));
    if (endpoint.unix_path.empty() || endpoint.unix_path.front() != '/') return bad("the socket path must be absolute");
    return endpoint;
  }
  if (!url.starts_with("redis://")) return bad("unknown scheme");
  std::string_view rest = url.substr(8);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    endpoint.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (rest.starts_with(":")) port_text = rest.substr(1);
    else if (!rest.empty()) return bad("text after the host");
  } else {
    const auto colon = rest.rfind(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (endpoint.host.empty() || endpoint.host.find_first_of("/@") != std::string::npos) return bad("no host");
  if (!port_text.empty() || rest.ends_with(":")) {
    int port = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return bad("bad port");
      port = port * 10 + (c - '0');
    }
    if (port_text.empty() || port < 1 || port > 65535) return bad("bad port");
    endpoint.port = port;
  }
  return endpoint;
}

struct RedisLimiter::Impl {
  Impl(RedisLimiter& o, RedisLimiterOptions opts, LocalLimiter& f, log::Logger& l)
      : owner(o), options(std::move(opts)), fallback(f), logger(l) {}

  void Run();
  /// Connects and loads the script; false (logged once per outage) when Redis is unreachable.
  bool Connect();
  void Disconnect(std::string_view why);
  /// Sends every waiting request's script call in one pipeline and completes them.
  void Serve(std::deque<Pending>& batch);
  void DecideLocally(Pending& pending);

  RedisLimiter& owner;
  RedisLimiterOptions options;
  LocalLimiter& fallback;
  log::Logger& logger;
  Context context;
  std::string script_sha;
  bool outage_logged = false;
  /// The local-decision count when the current outage began, to report that outage's own count.
  std::uint64_t decided_locally_before_outage = 0;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Pending> queue;
  bool stopping = false;
  std::thread thread;
};

RedisLimiter::RedisLimiter(RedisLimiterOptions options, LocalLimiter& fallback, log::Logger& logger)
    : impl_(std::make_unique<Impl>(*this, std::move(options), fallback, logger)) {
  std::promise<void> first_attempt;
  auto attempted = first_attempt.get_future();
  impl_->thread = std::thread([this, &first_attempt] {
    pthread_setname_np(pthread_self(), "minitok-redis");
    // hiredis writes with write(2): a Redis that went away must be an error here, not SIGPIPE.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    // Connect before the first request, so that a healthy cluster shares its limits from the start.
    impl_->Connect();
    first_attempt.set_value();
    impl_->Run();
  });
  attempted.wait();
}

RedisLimiter::~RedisLimiter() {
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

std::optional<Verdict> RedisLimiter::TryDecide(std::span<const Check> checks) {
  if (connected()) return std::nullopt;
  decided_locally_.fetch_add(checks.size(), std::memory_order_relaxed);
  return impl_->fallback.DecideNow(checks);
}

void RedisLimiter::DecideLater(std::vector<Check> checks, VerdictCallback later) {
  if (auto now = TryDecide(checks)) return later(*now);
  {
    std::unique_lock lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->queue.push_back({std::move(checks), std::move(later)});
      lock.unlock();
      impl_->wake.notify_one();
      return;
    }
  }
  // The Redis thread is finishing: nobody would serve the queue.
  decided_locally_.fetch_add(checks.size(), std::memory_order_relaxed);
  later(impl_->fallback.DecideNow(checks));
}

void RedisLimiter::Impl::Run() {
  std::unique_lock lock(mutex);
  for (;;) {
    if (owner.connected()) {
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
    } else {
      wake.wait_for(lock, options.reconnect_every, [&] { return stopping || !queue.empty(); });
    }
    std::deque<Pending> batch;
    batch.swap(queue);
    const bool stop = stopping;
    lock.unlock();
    if (!owner.connected() && !stop) Connect();
    Serve(batch);
    lock.lock();
    if (stop && queue.empty()) return;
  }
}

bool RedisLimiter::Impl::Connect() {
  const timeval timeout = ToTimeval(options.timeout);
  const RedisEndpoint& endpoint = options.endpoint;
  Context fresh(endpoint.unix_path.empty() ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, timeout)
                                           : redisConnectUnixWithTimeout(endpoint.unix_path.c_str(), timeout));
  std::string why = fresh == nullptr ? "out of memory" : fresh->err != 0 ? fresh->errstr : "";
  if (why.empty() && redisSetTimeout(fresh.get(), timeout) != REDIS_OK) why = "cannot set its timeout";
  if (why.empty()) {
    const char* argv[] = {"SCRIPT", "LOAD", kScript.data()};
    const std::size_t lengths[] = {6, 4, kScript.size()};
    Reply reply(static_cast<redisReply*>(redisCommandArgv(fresh.get(), 3, argv, lengths)));
    if (reply == nullptr) {
      why = fresh->errstr;
    } else if (reply->type != REDIS_REPLY_STRING) {
      why = reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len) : "unexpected SCRIPT LOAD reply";
    } else {
      script_sha.assign(reply->str, reply->len);
    }
  }
  if (!why.empty()) {
    if (!outage_logged) {
      decided_locally_before_outage = owner.decided_locally();
      logger.Warn("rate limits: Redis at " + endpoint.ToString() + " is unreachable (" + why +
                  "); this gateway's own buckets decide until it returns");
      outage_logged = true;
    }
    return false;
  }
  context = std::move(fresh);
  outage_logged = false;
  owner.connected_.store(true, std::memory_order_release);
  const std::uint64_t local = owner.decided_locally() - decided_locally_before_outage;
  logger.Info("rate limits: buckets shared through Redis at " + endpoint.ToString() +
              (local > 0 ? " (" + std::to_string(local) + " checks decided locally while it was unreachable)" : ""));
  return true;
}

void RedisLimiter::Impl::Disconnect(std::string_view why) {
  // `why` may point into the context: log before letting it go.
  logger.Warn("rate limits: lost Redis at " + options.endpoint.ToString() + " (" + std::string(why) +
              "); this gateway's own buckets decide until it returns");
  outage_logged = true;
  decided_locally_before_outage = owner.decided_locally();
  owner.connected_.store(false, std::memory_order_release);
  context.reset();
}

void RedisLimiter::Impl::DecideLocally(Pending& pending) {
  owner.decided_locally_.fetch_add(pending.checks.size(), std::memory_order_relaxed);
  pending.later(fallback.DecideNow(pending.checks));
}

void RedisLimiter::Impl::Serve(std::deque<Pending>& batch) {
  if (batch.empty()) return;
  std::size_t sent = 0;
  if (context != nullptr) {
    for (const Pending& pending : batch) {
      std::vector<std::string> args{"EVALSHA", script_sha, std::to_string(pending.checks.size())};
      for (const Check& check : pending.checks) args.push_back(options.key_prefix + check.limit + ":" + check.subject);
      for (const Check& check : pending.checks) {
        args.push_back(std::to_string(check.rule.refill_every_ms));
        args.push_back(std::to_string(check.rule.burst));
        args.push_back(std::to_string(check.cost));
      }
      std::vector<const char*> argv;
      std::vector<std::size_t> lengths;
      for (const std::string& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      if (redisAppendCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
        break;
      }
      ++sent;
    }
  }
  // Replies come in order; whatever has no usable reply is decided by the local buckets.
  std::size_t answered = 0;
  for (; answered < sent; ++answered) {
    void* raw = nullptr;
    if (redisGetReply(context.get(), &raw) != REDIS_OK || raw == nullptr) {
      Disconnect(context->errstr[0] != '\0' ? context->errstr : "no reply");
      break;
    }
    Reply reply(static_cast<redisReply*>(raw));
    Pending& pending = batch[answered];
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && reply->element[0]->type == REDIS_REPLY_INTEGER &&
        reply->element[1]->type == REDIS_REPLY_INTEGER && reply->element[2]->type == REDIS_REPLY_INTEGER &&
        reply->element[2]->integer >= 0 &&
        static_cast<std::size_t>(reply->element[2]->integer) < pending.checks.size()) {
      pending.later({.allowed = reply->element[0]->integer == 1,
                     .retry_after_ms = reply->element[1]->integer,
                     .refused_check = static_cast<std::size_t>(reply->element[2]->integer)});
      continue;
    }
    // An error reply (NOSCRIPT after a restart, READONLY after a failover, OOM, ...) is treated as
    // a lost Redis: the rest of this batch is decided locally (its replies go with the connection),
    // and reconnecting reloads the script.
    Disconnect(reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len) : "unexpected reply");
    break;
  }
  for (std::size_t i = answered; i < batch.size(); ++i) DecideLocally(batch[i]);
}

}  // namespace minitok::ratelimit
