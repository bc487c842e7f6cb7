#include "libs/discovery/etcd.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "libs/core/clock.h"
#include "libs/discovery/membership.h"
#include "libs/rpc/balancer.h"
#include "libs/security/token_codec.h"

namespace minitok::discovery {
namespace {

constexpr std::int64_t kLeaseSeconds = 10;
constexpr auto kKeepAliveEvery = std::chrono::seconds(3);
constexpr auto kRetryEvery = std::chrono::seconds(1);
constexpr auto kCallDeadline = std::chrono::seconds(3);

void SetDeadline(grpc::ClientContext& context, std::chrono::system_clock::duration after) {
  context.set_deadline(std::chrono::system_clock::now() + after);
}

Status Failed(std::string_view what, const grpc::Status& status) {
  return MakeError(Code::kUnavailable, "etcd is unavailable", std::string(what) + ": " + status.error_message());
}

/// One background thread working against etcd in sessions: `session(channel)` returns when its
/// session broke, and the next endpoint is tried a second later, until Stop. Outages are logged
/// once, with their end.
class SessionLoop {
 public:
  SessionLoop(EtcdOptions options, log::Logger& logger, std::string what)
      : options_(std::move(options)), logger_(logger), what_(std::move(what)) {}
  ~SessionLoop() { Stop(); }

  void Start(std::function<Status(const std::shared_ptr<grpc::Channel>&)> session) {
    thread_ = std::thread([this, session = std::move(session)] {
      for (std::size_t attempt = 0; !stopping_; ++attempt) {
        const std::string& endpoint = options_.endpoints[attempt % options_.endpoints.size()];
        const Status ended = session(rpc::OpenChannel(endpoint));
        if (stopping_) break;
        if (!in_outage_) {
          in_outage_ = true;
          logger_.Warn(what_ + ": etcd at " + endpoint + " is unreachable (" + ended.error().detail +
                       "); trying again every second");
        }
        if (!Sleep(kRetryEvery)) break;
      }
    });
  }

  /// A session is working: wakes Start's waiter, and ends an outage in the log.
  void MarkWorking() {
    std::lock_guard lock(mutex_);
    working_ = true;
    if (in_outage_) logger_.Info(what_ + ": etcd is reachable again");
    in_outage_ = false;
    wake_.notify_all();
  }

  bool WaitWorking(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, wait, [this] { return working_ || stopping_; }) && working_;
  }

  /// Waits `duration` unless stopped first; false when stopping.
  bool Sleep(std::chrono::steady_clock::duration duration) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return stopping_.load(); });
  }

  /// The streaming call Stop must cancel (null when none is open).
  void Track(grpc::ClientContext* stream) {
    std::lock_guard lock(mutex_);
    stream_ = stream;
    if (stream_ != nullptr && stopping_) stream_->TryCancel();
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if (stream_ != nullptr) stream_->TryCancel();
      wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

  bool stopping() const { return stopping_; }
  const EtcdOptions& options() const { return options_; }

 private:
  const EtcdOptions options_;
  log::Logger& logger_;
  const std::string what_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  bool working_ = false;
  bool in_outage_ = false;
  grpc::ClientContext* stream_ = nullptr;
  std::thread thread_;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

/// Lists the keys under `prefix` and hands them to `listed`, then hands every change to `changed`
/// (value empty for a deletion) until the watch breaks or the loop stops.
Status ListAndWatch(SessionLoop& loop, const std::shared_ptr<grpc::Channel>& channel, const std::string& prefix,
                    const std::function<void(const KeyValues&)>& listed,
                    const std::function<void(const mvccpb::Event&)>& changed) {
  const std::string end = PrefixEnd(prefix);
  auto kv = etcdserverpb::KV::NewStub(channel);
  etcdserverpb::RangeRequest range;
  range.set_key(prefix);
  range.set_range_end(end);
  etcdserverpb::RangeResponse found;
  grpc::ClientContext range_context;
  SetDeadline(range_context, kCallDeadline);
  if (const auto status = kv->Range(&range_context, range, &found); !status.ok()) return Failed("range", status);
  KeyValues listing;
  for (const auto& pair : found.kvs()) listing.emplace_back(pair.key(), pair.value());
  listed(listing);
  loop.MarkWorking();

  auto watches = etcdserverpb::Watch::NewStub(channel);
  grpc::ClientContext stream_context;
  loop.Track(&stream_context);
  auto stream = watches->Watch(&stream_context);
  etcdserverpb::WatchRequest watch;
  watch.mutable_create_request()->set_key(prefix);
  watch.mutable_create_request()->set_range_end(end);
  watch.mutable_create_request()->set_start_revision(found.header().revision() + 1);
  Status ended = MakeError(Code::kUnavailable, "etcd is unavailable", "the watch ended");
  etcdserverpb::WatchResponse changes;
  if (stream->Write(watch)) {
    while (stream->Read(&changes)) {
      if (changes.canceled()) {
        ended = MakeError(Code::kUnavailable, "etcd is unavailable", "the watch was cancelled: " + changes.cancel_reason());
        break;
      }
      for (const auto& event : changes.events()) changed(event);
    }
  }
  stream_context.TryCancel();
  (void)stream->Finish();
  loop.Track(nullptr);
  return ended;
}

}  // namespace

Result<std::vector<std::string>> ParseEtcdEndpoints(std::string_view text) {
  std::vector<std::string> endpoints;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.starts_with("http://")) item.remove_prefix(7);
    while (item.ends_with('/')) item.remove_suffix(1);
    const auto colon = item.rfind(':');
    if (item.find("://") != std::string_view::npos || colon == std::string_view::npos || colon == 0 || colon + 1 == item.size() ||
        item.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
      return MakeError(Code::kInvalidArgument, "bad --etcd endpoint \"" + std::string(item) +
                                                   "\": expected http://HOST:PORT (https is not supported)");
    }
    endpoints.emplace_back(item);
  }
  if (endpoints.empty()) return MakeError(Code::kInvalidArgument, "--etcd names no endpoint");
  return endpoints;
}

struct Registration::Impl {
  Impl(EtcdOptions options, std::vector<std::string> names, std::string reachable_at, log::Logger& log_sink)
      : loop(std::move(options), log_sink, "registration"),
        services(std::move(names)),
        address(std::move(reachable_at)),
        instance(security::RandomHex(8)),
        logger(log_sink) {}

  /// Grants a lease, puts every key under it and keeps it alive until the session breaks.
  Status Session(const std::shared_ptr<grpc::Channel>& channel) {
    auto leases = etcdserverpb::Lease::NewStub(channel);
    auto kv = etcdserverpb::KV::NewStub(channel);
    etcdserverpb::LeaseGrantRequest grant;
    grant.set_ttl(kLeaseSeconds);
    etcdserverpb::LeaseGrantResponse granted;
    grpc::ClientContext grant_context;
    SetDeadline(grant_context, kCallDeadline);
    if (const auto status = leases->LeaseGrant(&grant_context, grant, &granted); !status.ok()) {
      return Failed("lease grant", status);
    }
    if (!granted.error().empty()) return MakeError(Code::kUnavailable, "etcd refused a lease", granted.error());
    const std::string value = InstanceValue(address, started_ms);
    for (const auto& service : services) {
      etcdserverpb::PutRequest put;
      put.set_key(InstanceKey(loop.options().cluster, service, instance));
      put.set_value(value);
      put.set_lease(granted.id());
      etcdserverpb::PutResponse done;
      grpc::ClientContext put_context;
      SetDeadline(put_context, kCallDeadline);
      if (const auto status = kv->Put(&put_context, put, &done); !status.ok()) return Failed("put", status);
    }
    lease.store(granted.id());
    loop.MarkWorking();

    grpc::ClientContext stream_context;
    loop.Track(&stream_context);
    auto stream = leases->LeaseKeepAlive(&stream_context);
    Status ended = MakeError(Code::kUnavailable, "etcd is unavailable", "the keep-alive stream ended");
    etcdserverpb::LeaseKeepAliveRequest keep;
    keep.set_id(granted.id());
    etcdserverpb::LeaseKeepAliveResponse kept;
    while (!loop.stopping()) {
      if (!stream->Write(keep) || !stream->Read(&kept)) break;
      if (kept.ttl() <= 0) {  // etcd let the lease expire (it was away too long): register anew
        ended = MakeError(Code::kUnavailable, "etcd is unavailable", "the lease expired");
        break;
      }
      if (!loop.Sleep(kKeepAliveEvery)) break;
    }
    stream_context.TryCancel();
    (void)stream->Finish();
    loop.Track(nullptr);
    return ended;
  }

  SessionLoop loop;
  const std::vector<std::string> services;
  const std::string address;
  const std::string instance;
  const std::int64_t started_ms = SystemClock().NowMs();
  std::atomic<std::int64_t> lease{0};
  log::Logger& logger;
  bool stopped = false;
};

Registration::Registration(EtcdOptions options, std::vector<std::string> services, std::string address,
                           log::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services), std::move(address), logger)) {}

Registration::~Registration() { Stop(); }

Status Registration::Start(std::chrono::milliseconds wait) {
  impl_->loop.Start([this](const std::shared_ptr<grpc::Channel>& channel) { return impl_->Session(channel); });
  if (impl_->loop.WaitWorking(wait)) return Ok();
  return MakeError(Code::kUnavailable, "etcd did not answer: this instance registers as soon as it does");
}

void Registration::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->loop.Stop();
  const std::int64_t lease = impl_->lease.load();
  if (lease == 0) return;
  // Revoking deletes every key of the lease at once: watchers drop this instance before it drains.
  const auto& endpoints = impl_->loop.options().endpoints;
  for (const auto& endpoint : endpoints) {
    auto leases = etcdserverpb::Lease::NewStub(rpc::OpenChannel(endpoint));
    etcdserverpb::LeaseRevokeRequest revoke;
    revoke.set_id(lease);
    etcdserverpb::LeaseRevokeResponse revoked;
    grpc::ClientContext context;
    SetDeadline(context, std::chrono::seconds(2));
    if (leases->LeaseRevoke(&context, revoke, &revoked).ok()) return;
  }
  impl_->logger.Warn("registration: could not revoke the lease; this instance's keys expire within " +
                     std::to_string(kLeaseSeconds) + " s");
}

struct Discovery::Impl {
  Impl(EtcdOptions options, log::Logger& logger)
      : loop(std::move(options), logger, "discovery"), membership(loop.options().cluster) {}

  /// Lists the instances, then applies every change until the watch breaks. The sinks keep what
  /// they were last given while etcd is away.
  Status Session(const std::shared_ptr<grpc::Channel>& channel) {
    return ListAndWatch(
        loop, channel, ServicesPrefix(loop.options().cluster),
        [this](const KeyValues& listing) {
          membership.Reset(listing);
          for (const auto& [service, sink] : followed) sink->SetEndpoints(membership.Addresses(service));
        },
        [this](const mvccpb::Event& event) {
          const auto service = event.type() == mvccpb::Event::PUT ? membership.Put(event.kv().key(), event.kv().value())
                                                                  : membership.Remove(event.kv().key());
          if (!service) return;
          const auto [first, last] = followed.equal_range(*service);
          for (auto sink = first; sink != last; ++sink) sink->second->SetEndpoints(membership.Addresses(*service));
        });
  }

  SessionLoop loop;
  Membership membership;  ///< touched by the loop's thread only
  std::multimap<std::string, rpc::EndpointSink*, std::less<>> followed;  ///< a service may feed several clients
};

Discovery::Discovery(EtcdOptions options, log::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), logger)) {}

Discovery::~Discovery() { Stop(); }

void Discovery::Follow(std::string service, rpc::EndpointSink& instances) {
  impl_->followed.emplace(std::move(service), &instances);
}

Status Discovery::Start(std::chrono::milliseconds wait) {
  impl_->loop.Start([this](const std::shared_ptr<grpc::Channel>& channel) { return impl_->Session(channel); });
  if (impl_->loop.WaitWorking(wait)) return Ok();
  return MakeError(Code::kUnavailable, "etcd did not answer: the services are found as soon as it does");
}

void Discovery::Stop() { impl_->loop.Stop(); }

struct SettingsWatch::Impl {
  Impl(EtcdOptions options, std::vector<std::string> watched_roles, log::Logger& logger,
       std::function<void(const std::vector<std::string>&)> on_change)
      : loop(std::move(options), logger, "settings"),
        prefix(loop.options().cluster + "/config/"),
        roles(std::move(watched_roles)),
        changed(std::move(on_change)) {}

  /// The values of the watched roles, in their order (a role without a key gives none).
  void Publish() {
    std::vector<std::string> now;
    for (const auto& role : roles) {
      if (const auto it = values.find(prefix + role); it != values.end()) now.push_back(it->second);
    }
    if (now != published) changed(now);
    published = std::move(now);
  }

  Status Session(const std::shared_ptr<grpc::Channel>& channel) {
    return ListAndWatch(
        loop, channel, prefix,
        [this](const KeyValues& listing) {
          values.clear();
          values.insert(listing.begin(), listing.end());
          Publish();
        },
        [this](const mvccpb::Event& event) {
          if (event.type() == mvccpb::Event::PUT) {
            values.insert_or_assign(event.kv().key(), event.kv().value());
          } else {
            values.erase(event.kv().key());
          }
          Publish();
        });
  }

  SessionLoop loop;
  const std::string prefix;
  const std::vector<std::string> roles;
  const std::function<void(const std::vector<std::string>&)> changed;
  std::map<std::string, std::string> values;  ///< touched by the loop's thread only
  std::vector<std::string> published;
};

SettingsWatch::SettingsWatch(EtcdOptions options, std::vector<std::string> roles, log::Logger& logger,
                             std::function<void(const std::vector<std::string>&)> on_change)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(roles), logger, std::move(on_change))) {}

SettingsWatch::~SettingsWatch() { Stop(); }

Status SettingsWatch::Start(std::chrono::milliseconds wait) {
  impl_->loop.Start([this](const std::shared_ptr<grpc::Channel>& channel) { return impl_->Session(channel); });
  if (impl_->loop.WaitWorking(wait)) return Ok();
  return MakeError(Code::kUnavailable, "etcd did not answer: the live settings apply as soon as it does");
}

void SettingsWatch::Stop() { impl_->loop.Stop(); }

}  // namespace minitok::discovery
