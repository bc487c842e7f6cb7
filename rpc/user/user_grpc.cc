#include "rpc/user/user_grpc.h"

#include "libs/rpc/client_call.h"
#include "libs/rpc/server_call.h"
#include "minitok/user/v1/user.grpc.pb.h"
#include "rpc/common/final_records.h"
#include "rpc/common/values.h"

namespace minitok::user {
namespace {

namespace wire = v1;

class Server final : public wire::User::CallbackService {
 public:
  Server(UserService& service, rpc::Dispatcher& dispatcher, rpc::Dispatcher& hashing)
      : service_(service), dispatcher_(dispatcher), hashing_(hashing) {}

  // Register and Login hash a password: slow, so always on the hashing pool.
  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context, const wire::Credentials* request,
                                     wire::UserId* response) override {
    return hashing_.Respond(context, rpc::Work::kWrite, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto id, service_.Register(request->name(), request->password()));
      response->set_user_id(id);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* context, const wire::Credentials* request,
                                  wire::UserId* response) override {
    return hashing_.Respond(context, rpc::Work::kWrite, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto id, service_.Login(request->name(), request->password()));
      response->set_user_id(id);
      return Ok();
    });
  }

  grpc::ServerUnaryReactor* GetUsers(grpc::CallbackServerContext* context, const wire::GetUsersRequest* request,
                                     wire::GetUsersResponse* response) override {
    return dispatcher_.Respond(context, rpc::Work::kRead, [this, request, response](std::int64_t) -> Status {
      MINITOK_ASSIGN_OR_RETURN(const auto users, service_.GetUsers(rpc::FromWire(request->ids())));
      for (const auto& one : users) {
        auto* out = response->add_users();
        out->set_id(one.id);
        out->set_name(one.name);
        out->set_signature(one.signature);
      }
      return Ok();
    });
  }

 private:
  UserService& service_;
  rpc::Dispatcher& dispatcher_;
  rpc::Dispatcher& hashing_;
};

constexpr std::string_view kService = "user";

class Client final : public UserService {
 public:
  rpc::EndpointSink& instances() { return instances_; }

  Result<std::int64_t> Register(std::string_view name, std::string_view password) override {
    return Authenticate(&wire::User::Stub::Register, name, password);
  }

  Result<std::int64_t> Login(std::string_view name, std::string_view password) override {
    return Authenticate(&wire::User::Stub::Login, name, password);
  }

  Result<std::vector<UserProfile>> GetUsers(std::span<const std::int64_t> ids) override {
    return StartGetUsers(ids).Get();
  }

  // A profile never changes once registered (there is no way to edit or delete one), so the
  // profiles found are kept here and only the ids never seen travel. An id not found is not
  // kept: it may be registered later.
  Pending<std::vector<UserProfile>> StartGetUsers(std::span<const std::int64_t> ids) override {
    auto [kept, missing] = profiles_.Split(ids);
    if (missing.empty()) return std::move(kept);
    return rpc::LookUp(found_, missing)
        .Then<std::vector<UserProfile>>(
            [kept = std::move(kept)](Result<std::vector<UserProfile>> found) -> Result<std::vector<UserProfile>> {
              if (!found.ok()) return std::move(found).error();
              std::vector<UserProfile> users = kept;
              users.insert(users.end(), found->begin(), found->end());
              return users;
            });
  }

 private:
  Pending<std::vector<UserProfile>> SendGetUsers(const std::vector<std::int64_t>& ids) {
    wire::GetUsersRequest request;
    request.mutable_ids()->Add(ids.begin(), ids.end());
    return rpc::StartUnary<std::vector<UserProfile>>(
        instances_, {.service = kService},
        std::move(request),
        [](auto& stub, auto& context, const auto& sent, auto& response, auto done) {
          stub.async()->GetUsers(&context, &sent, &response, std::move(done));
        },
        [this](const wire::GetUsersResponse& response) {
          std::vector<UserProfile> users;
          users.reserve(response.users_size());
          for (const auto& one : response.users()) {
            users.push_back({.id = one.id(), .name = one.name(), .signature = one.signature()});
            profiles_.Offer(one.id(), users.back(), true);
          }
          return users;
        });
  }

  using Action = grpc::Status (wire::User::Stub::*)(grpc::ClientContext*, const wire::Credentials&, wire::UserId*);

  Result<std::int64_t> Authenticate(Action action, std::string_view name, std::string_view password) {
    wire::Credentials request;
    request.set_name(std::string(name));
    request.set_password(std::string(password));
    wire::UserId response;
    MINITOK_RETURN_IF_ERROR(rpc::CallUnary(instances_, {.service = kService, .kind = rpc::CallKind::kWrite},
                                           [&](auto& stub, auto& context) {
                                             return (stub.*action)(&context, request, &response);
                                           }));
    return response.user_id();
  }

  // Declared first, destroyed last: the answers of calls still out fill it (the lookups and the
  // balancer below wait for those calls when they go).
  static constexpr std::size_t kProfilesKept = 200'000;  // about 100 bytes each
  rpc::FinalRecords<UserProfile> profiles_{kProfilesKept};
  rpc::Balancer<wire::User> instances_;
  rpc::MergedLookup<UserProfile> found_{
      concurrency::MergingIds<UserProfile>([this](auto ids) { return SendGetUsers(ids); },
                                           [](const UserProfile& user) { return user.id; }),
      rpc::MergedCallSlots(instances_)};
};

}  // namespace

rpc::ServedService ServeUserOverGrpc(UserService& service, rpc::Dispatcher& dispatcher, rpc::Dispatcher& hashing) {
  return {std::make_shared<Server>(service, dispatcher, hashing), wire::User::service_full_name()};
}

rpc::RemoteService<UserService> UserGrpcClient() {
  return rpc::MakeRemoteService<UserService, Client>();
}

}  // namespace minitok::user
