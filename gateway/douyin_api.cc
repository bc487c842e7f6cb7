#include "gateway/douyin_api.h"

#include <ctime>
#include <functional>

#include "gateway/api_envelope.h"
#include "gateway/request_context.h"
#include "gateway/views.h"
#include "libs/core/non_blocking.h"
#include "libs/http/file_response.h"

namespace minitok::gateway {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr std::int64_t kLike = 1;
constexpr std::int64_t kUnlike = 2;

Error UnknownAction() { return MakeError(Code::kInvalidArgument, "action_type must be 1 or 2"); }

/// What every */action/ route starts with: who acts, on what, and how.
struct Action {
  std::int64_t user = 0;
  std::int64_t target = 0;
  std::int64_t type = 0;
};

Result<Action> ReadAction(const RequestContext& ctx, std::string_view target_name) {
  Action action;
  MINITOK_ASSIGN_OR_RETURN(action.user, ctx.Authenticate());
  MINITOK_ASSIGN_OR_RETURN(action.target, ctx.RequiredId(target_name));
  MINITOK_ASSIGN_OR_RETURN(action.type, ctx.RequiredInt("action_type"));
  return action;
}

/// What every list route starts with: whose list, which page, and who is looking.
struct ListQuery {
  std::int64_t id = 0;
  Page page;
  std::int64_t viewer = 0;
};

Result<ListQuery> ReadList(const RequestContext& ctx, std::string_view id_name, std::int64_t cap) {
  ListQuery query;
  MINITOK_ASSIGN_OR_RETURN(query.id, ctx.RequiredId(id_name));
  MINITOK_ASSIGN_OR_RETURN(query.page, ctx.Paging(cap));
  MINITOK_ASSIGN_OR_RETURN(query.viewer, ctx.Viewer());
  return query;
}

void WriteMessage(json::JsonWriter& out, const message::MessageRecord& message) {
  out.BeginObject()
      .Member("id", message.id)
      .Member("to_user_id", message.to_user_id)
      .Member("from_user_id", message.from_user_id)
      .Member("content", message.content)
      .Member("create_time", message.created_ms)
      .EndObject();
}

void WriteComment(json::JsonWriter& out, const comment::CommentRecord& comment, const UserViews& users,
                  const ViewOptions& view) {
  out.BeginObject().Member("id", comment.id).Key("user");
  WriteUser(out, users, comment.user_id, view);
  out.Member("content", comment.content).Member("create_date", MonthDay(comment.created_ms)).EndObject();
}

}  // namespace

std::string MonthDay(std::int64_t epoch_ms) {
  const auto seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[8];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%m-%d", &local);
  return std::string(buffer, n);
}

DouyinApi::DouyinApi(Services services, const security::TokenCodec& tokens, const Clock& clock,
                     ApiOptions options, log::Logger& logger, const AnswerCache* cache,
                     const TrafficControl* traffic)
    : services_(services),
      tokens_(tokens),
      clock_(clock),
      options_(std::move(options)),
      logger_(logger),
      cache_(cache),
      traffic_(traffic) {}

std::optional<std::string> DouyinApi::AnonymousKey(const Request& request) const {
  if (request.Header("authorization") || request.params.Get("token")) return std::nullopt;
  const RequestContext ctx(request, tokens_, options_.public_url);
  const std::string_view target = request.target;
  const auto question = target.find('?');
  std::string key = std::string(request.path);
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  key.append(question == std::string_view::npos ? std::string_view() : target.substr(question));
  key.append("\n").append(request.body).append("\n").append(ctx.BaseUrl());
  return key;
}

Response DouyinApi::Busy() {
  return ApiError(MakeError(Code::kResourceExhausted, "the server is busy, please try again in a moment"));
}

Response DouyinApi::UploadTooLarge(std::uint64_t limit_bytes) {
  const std::string limit = limit_bytes >= (1u << 20) ? std::to_string(limit_bytes >> 20) + " MB"
                                                      : std::to_string(limit_bytes >> 10) + " KB";
  Response response =
      ApiError(MakeError(Code::kResourceExhausted, "upload too large: videos may be at most " + limit));
  response.close_connection = true;  // the rest of the body is not read
  return response;
}

Response DouyinApi::DiskFull() {
  Response response = ApiError(
      MakeError(Code::kResourceExhausted, "the server is low on disk space and cannot take uploads right now"));
  response.close_connection = true;
  return response;
}

Response DouyinApi::BadForm(std::string_view message) {
  return ApiError(MakeError(Code::kInvalidArgument,
                            "malformed form data" + (message.empty() ? std::string() : ": " + std::string(message))));
}

Response DouyinApi::Fail(const Request& request, const Error& error, std::string_view list_key) {
  if (error.code == Code::kInternal || error.code == Code::kUnavailable) {
    logger_.Error("request " + request.request_id + " failed: " + error.detail);
  }
  if (list_key.empty()) return ApiError(error);
  // Lists are always arrays, also in an answer that failed.
  return ApiError(error, [list_key](json::JsonWriter& out) { out.Key(list_key).BeginArray().EndArray(); });
}

void DouyinApi::AddRoutes(http::Router& router) {
  const auto admission = [this](Limited what) {
    return traffic_ != nullptr ? traffic_->AdmissionFor(what) : nullptr;
  };
  const auto add = [&](std::string path, Method method, Response (DouyinApi::*handler)(Request&), Limited limited,
                       http::Executor executor = http::Executor::kWorker, bool upload = false) {
    router.Add({.pattern = path,
                .methods = method == Method::kGet ? std::vector{Method::kGet, Method::kHead} : std::vector{method},
                .handler = [this, handler](Request& request) { return (this->*handler)(request); },
                .executor = executor,
                .streams_upload = upload,
                .admit = admission(limited)});
  };
  // A starting handler runs on a worker, or with remote services on the event loop (starting a
  // call never blocks).
  const http::Executor starting_executor = options_.services_remote ? http::Executor::kEventLoop : http::Executor::kWorker;
  const auto add_starting = [&](std::string path, Method method, void (DouyinApi::*handler)(Request&, http::Reply),
                                Limited limited) {
    router.Add({.pattern = path,
                .methods = {method},
                .start = [this, handler](Request& request, http::Reply reply) { (this->*handler)(request, std::move(reply)); },
                .executor = starting_executor,
                .admit = admission(limited)});
  };
  // Public reads are first tried on the event loop: an anonymous answer from the answer cache
  // (while no write has committed since it was computed), or else the handler itself inside a
  // NonBlockingScope, which succeeds when every object it needs is in the services' caches. The
  // first database access (or remote call) refuses instead of blocking, and the request makes
  // the usual hop.
  // `handler`: a starting member function of this class, or anything invocable like one;
  // `only_starts_calls`: it never blocks when the services are remote (it only starts calls), so
  // a gateway whose services all are may run it on the event loop.
  const auto add_public_read_starting = [&](std::string path, auto handler, bool only_starts_calls = true) {
    // `key`: the request's answer-cache key when it is anonymous and the cache is on.
    const auto answer = [this, handler](Request& request, const std::optional<std::string>& key, http::Reply reply) {
      const std::uint64_t version = key ? cache_->version.Current() : 0;  // before reading any data
      std::invoke(handler, *this, request, [this, key, version, reply = std::move(reply)](Response response) {
        if (key && response.status == 200 && response.api_status == 0) {
          cache_->answers.Put(*key, version, response.body);
        }
        reply(std::move(response));
      });
    };
    const auto key_of = [this](const Request& request) {
      return cache_ != nullptr ? AnonymousKey(request) : std::nullopt;
    };
    const auto start = [answer, key_of](Request& request, http::Reply reply) {
      answer(request, key_of(request), std::move(reply));
    };
    http::Route route{.pattern = path,
                      .methods = {Method::kGet, Method::kHead},
                      .start = start,
                      .executor = http::Executor::kWorker,
                      .admit = admission(Limited::kRead)};
    if (only_starts_calls && starting_executor == http::Executor::kEventLoop && cache_ == nullptr) {
      route.executor = starting_executor;
    } else {
      route.fast_path = [this, answer, key_of](Request& request) -> std::optional<Response> {
        const auto key = key_of(request);
        if (key) {
          if (const auto body = cache_->answers.Get(*key, cache_->version.Current())) {
            Response response;
            response.body = *body;
            response.headers.emplace_back("Cache-Control", "no-store");
            return response;
          }
        }
        const NonBlockingScope on_the_loop;
        Response response = http::RespondNow([&](http::Reply reply) { answer(request, key, std::move(reply)); });
        if (on_the_loop.refused()) return std::nullopt;
        return response;
      };
    }
    router.Add(std::move(route));
  };
  const auto add_public_read = [&](std::string path, Response (DouyinApi::*handler)(Request&)) {
    add_public_read_starting(
        std::move(path),
        [handler](DouyinApi& api, Request& request, http::Reply reply) { reply((api.*handler)(request)); },
        false);
  };
  add_public_read_starting("/douyin/feed", &DouyinApi::Feed);
  add("/douyin/user/register", Method::kPost, &DouyinApi::Register, Limited::kRegister, http::Executor::kHashing);
  add("/douyin/user/login", Method::kPost, &DouyinApi::Login, Limited::kLogin, http::Executor::kHashing);
  add_public_read_starting("/douyin/user", &DouyinApi::UserInfo);
  add("/douyin/publish/action", Method::kPost, &DouyinApi::Publish, Limited::kPublish, http::Executor::kWorker, true);
  add_public_read("/douyin/publish/list", &DouyinApi::PublishList);
  add_starting("/douyin/favorite/action", Method::kPost, &DouyinApi::FavoriteAction, Limited::kLike);
  add_public_read("/douyin/favorite/list", &DouyinApi::FavoriteList);
  add("/douyin/comment/action", Method::kPost, &DouyinApi::CommentAction, Limited::kComment);
  add_public_read("/douyin/comment/list", &DouyinApi::CommentList);
  add("/douyin/relation/action", Method::kPost, &DouyinApi::RelationAction, Limited::kFollow);
  add_public_read("/douyin/relation/follow/list", &DouyinApi::FollowList);
  add_public_read("/douyin/relation/follower/list", &DouyinApi::FollowerList);
  add("/douyin/relation/friend/list", Method::kGet, &DouyinApi::FriendList, Limited::kRead);
  add("/douyin/message/action", Method::kPost, &DouyinApi::MessageAction, Limited::kMessage);
  add("/douyin/message/chat", Method::kGet, &DouyinApi::MessageChat, Limited::kRead);
  add("/douyin/message/conversations", Method::kGet, &DouyinApi::MessageConversations, Limited::kRead);
  router.AddPrefix({.pattern = "/media/",
                    .methods = {Method::kGet, Method::kHead},
                    .handler = [this](Request& request) { return Media(request); },
                    .executor = http::Executor::kWorker});
}

void DouyinApi::Feed(Request& request, http::Reply reply) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto latest = ctx.OptionalTime("latest_time");
  if (!latest.ok()) return reply(Fail(request, latest.error(), "video_list"));
  const std::int64_t now = clock_.NowMs();
  const std::int64_t viewer = ctx.ViewerOrAnonymous();
  services_.videos.StartFeed(ClientTimeToMs(latest->value_or(0), now), kFeedPageSize)
      .OnReady([this, &request, viewer, base_url = ctx.BaseUrl(), reply = std::move(reply)](
                   Result<video::FeedPage> page) mutable {
        if (!page.ok()) return reply(Fail(request, page.error(), "video_list"));
        const std::int64_t next_time = page->next_time_ms;
        StartLoadVideos(services_, std::move(page->videos), viewer)
            .OnReady([this, &request, next_time, base_url = std::move(base_url),
                      reply = std::move(reply)](Result<VideoViews> views) {
              if (!views.ok()) return reply(Fail(request, views.error(), "video_list"));
              auto body = BeginOk();
              // The feed is public: no processing state, even for the author.
              WriteVideoList(body, "video_list", *views, {base_url, 0, &rendered_});
              body.Member("next_time", next_time);
              reply(ApiOk(std::move(body)));
            });
      });
}

Response DouyinApi::Credentials(Request& request, bool create) {
  const auto fail = [&](const Error& error) {
    Response response = ApiError(error, [](json::JsonWriter& out) { out.Member("user_id", 0).Member("token", ""); });
    if (error.code == Code::kInternal) logger_.Error("request " + request.request_id + ": " + error.detail);
    return response;
  };
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto name = ctx.RequiredString("username");
  auto password = name.ok() ? ctx.RequiredString("password") : Result<std::string_view>(name.error());
  if (!password.ok()) {
    if (!create && traffic_ != nullptr) traffic_->LoginWasNoGuess(request);
    return fail(password.error());
  }
  auto user_id = create ? services_.users.Register(*name, *password) : services_.users.Login(*name, *password);
  // A failed guess keeps the failure token its admission reserved; any other outcome returns it.
  if (!create && traffic_ != nullptr && (user_id.ok() || user_id.error().code != Code::kUnauthenticated)) {
    traffic_->LoginWasNoGuess(request);
  }
  if (!user_id.ok()) return fail(user_id.error());
  auto body = BeginOk();
  body.Member("user_id", *user_id).Member("token", tokens_.Issue(*user_id));
  return ApiOk(std::move(body));
}

Response DouyinApi::Register(Request& request) { return Credentials(request, true); }

Response DouyinApi::Login(Request& request) { return Credentials(request, false); }

void DouyinApi::UserInfo(Request& request, http::Reply reply) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto requested = ctx.OptionalInt("user_id");
  if (!requested.ok()) return reply(Fail(request, requested.error()));
  auto looking = ctx.Viewer();
  if (!looking.ok()) return reply(Fail(request, looking.error()));
  std::int64_t viewer = *looking;
  std::int64_t user_id = requested->value_or(0);
  if (user_id == 0) {
    // The official demo asks with only a token: answer for its owner.
    auto self = ctx.Authenticate();
    if (!self.ok()) return reply(Fail(request, self.error()));
    user_id = viewer = *self;
  }
  if (user_id < 0) return reply(Fail(request, MakeError(Code::kInvalidArgument, "user_id must be a positive id")));
  const std::int64_t ids[] = {user_id};
  StartLoadUsers(services_, ids, viewer)
      .OnReady([this, &request, user_id, viewer, base_url = ctx.BaseUrl(), reply = std::move(reply)](Result<UserViews> users) {
        if (!users.ok()) return reply(Fail(request, users.error()));
        if (!users->contains(user_id)) return reply(Fail(request, MakeError(Code::kNotFound, "this user does not exist")));
        auto body = BeginOk();
        body.Key("user");
        // One user: rendering it costs less than keeping it, since any of millions may be asked next.
        WriteUser(body, *users, user_id, {base_url, viewer});
        reply(ApiOk(std::move(body)));
      });
}

Response DouyinApi::Publish(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto author = ctx.Authenticate();
  if (!author.ok()) return Fail(request, author.error());
  if (traffic_ != nullptr) {
    if (auto refused = traffic_->AdmitLateUpload(request, *author)) return std::move(*refused);
  }
  auto title = ctx.RequiredString("title");
  if (!title.ok()) return Fail(request, title.error());
  if (!request.upload || request.upload->field_name != "data" || request.upload->size == 0) {
    return Fail(request, MakeError(Code::kInvalidArgument, "a video file is required (multipart field \"data\")"));
  }
  auto video = services_.videos.Publish({*author, std::string(*title), request.upload->file->path()});
  if (!video.ok()) return Fail(request, video.error());
  request.upload->file->Release();  // moved into the media folder
  auto body = BeginOk();
  body.Member("video_id", video->id);
  return ApiOk(std::move(body));
}

Response DouyinApi::PublishList(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto query = ReadList(ctx, "user_id", kListCap);
  if (!query.ok()) return Fail(request, query.error(), "video_list");
  if (auto exists = user::RequireUser(services_.users, query->id); !exists.ok()) return Fail(request, exists.error(), "video_list");
  auto videos = services_.videos.ListByAuthor(query->id, query->viewer == query->id, query->page);
  if (!videos.ok()) return Fail(request, videos.error(), "video_list");
  auto views = LoadVideos(services_, std::move(*videos), query->viewer);
  if (!views.ok()) return Fail(request, views.error(), "video_list");
  auto body = BeginOk();
  WriteVideoList(body, "video_list", *views, {ctx.BaseUrl(), query->viewer, &rendered_});
  return ApiOk(std::move(body));
}

void DouyinApi::FavoriteAction(Request& request, http::Reply reply) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto action = ReadAction(ctx, "video_id");
  if (!action.ok()) return reply(Fail(request, action.error()));
  Pending<void> done = action->type == kLike     ? services_.favorites.StartLike(action->user, action->target)
                       : action->type == kUnlike ? services_.favorites.StartUnlike(action->user, action->target)
                                                 : Pending<void>(UnknownAction());
  std::move(done).OnReady([this, &request, reply = std::move(reply)](Status status) {
    if (!status.ok()) return reply(Fail(request, status.error()));
    reply(ApiOk(BeginOk()));
  });
}

Response DouyinApi::FavoriteList(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto query = ReadList(ctx, "user_id", kListCap);
  if (!query.ok()) return Fail(request, query.error(), "video_list");
  if (auto exists = user::RequireUser(services_.users, query->id); !exists.ok()) return Fail(request, exists.error(), "video_list");
  auto liked = services_.favorites.ListLikedVideos(query->id, query->page);
  if (!liked.ok()) return Fail(request, liked.error(), "video_list");
  auto found = services_.videos.GetVideos(*liked);
  if (!found.ok()) return Fail(request, found.error(), "video_list");
  // Keep the order of the likes; drop videos that are no longer visible.
  std::vector<video::VideoRecord> ordered;
  for (const auto id : *liked) {
    for (auto& v : *found) {
      if (v.id == id && v.state == video::VideoState::kReady) ordered.push_back(std::move(v));
    }
  }
  auto views = LoadVideos(services_, std::move(ordered), query->viewer);
  if (!views.ok()) return Fail(request, views.error(), "video_list");
  auto body = BeginOk();
  WriteVideoList(body, "video_list", *views, {ctx.BaseUrl(), 0, &rendered_});
  return ApiOk(std::move(body));
}

Response DouyinApi::CommentAction(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto action = ReadAction(ctx, "video_id");
  if (!action.ok()) return Fail(request, action.error());
  const std::int64_t user = action->user;
  if (action->type == 2) {
    auto comment_id = ctx.RequiredId("comment_id");
    if (!comment_id.ok()) return Fail(request, comment_id.error());
    auto deleted = services_.comments.Delete(user, action->target, *comment_id);
    if (!deleted.ok()) return Fail(request, deleted.error());
    return ApiOk(BeginOk());
  }
  if (action->type != 1) return Fail(request, UnknownAction());
  auto text = ctx.RequiredString("comment_text");
  if (!text.ok()) return Fail(request, text.error());
  auto comment = services_.comments.Add(user, action->target, *text);
  if (!comment.ok()) return Fail(request, comment.error());
  const std::int64_t ids[] = {user};
  auto users = LoadUsers(services_, ids, user);
  if (!users.ok()) return Fail(request, users.error());
  auto body = BeginOk();
  body.Key("comment");
  WriteComment(body, *comment, *users, {ctx.BaseUrl(), user, &rendered_});
  return ApiOk(std::move(body));
}

Response DouyinApi::CommentList(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto query = ReadList(ctx, "video_id", kListCap);
  if (!query.ok()) return Fail(request, query.error(), "comment_list");
  const std::int64_t viewer = query->viewer;
  auto comments = services_.comments.List(query->id, query->page);
  if (!comments.ok()) return Fail(request, comments.error(), "comment_list");
  std::vector<std::int64_t> user_ids;
  for (const auto& c : *comments) user_ids.push_back(c.user_id);
  auto users = LoadUsers(services_, user_ids, viewer);
  if (!users.ok()) return Fail(request, users.error(), "comment_list");
  const ViewOptions view{ctx.BaseUrl(), viewer, &rendered_};
  auto body = BeginOk();
  body.Key("comment_list").BeginArray();
  for (const auto& c : *comments) WriteComment(body, c, *users, view);
  body.EndArray();
  return ApiOk(std::move(body));
}

Response DouyinApi::RelationAction(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto action = ReadAction(ctx, "to_user_id");
  if (!action.ok()) return Fail(request, action.error());
  Status done = action->type == 1   ? services_.relations.Follow(action->user, action->target)
                : action->type == 2 ? services_.relations.Unfollow(action->user, action->target)
                                    : Status(UnknownAction());
  if (!done.ok()) return Fail(request, done.error());
  return ApiOk(BeginOk());
}

Response DouyinApi::UserList(Request& request, bool followers) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto query = ReadList(ctx, "user_id", kListCap);
  if (!query.ok()) return Fail(request, query.error(), "user_list");
  const std::int64_t viewer = query->viewer;
  auto ids = followers ? services_.relations.ListFollowers(query->id, query->page)
                       : services_.relations.ListFollowing(query->id, query->page);
  if (!ids.ok()) return Fail(request, ids.error(), "user_list");
  auto users = LoadUsers(services_, *ids, viewer);
  if (!users.ok()) return Fail(request, users.error(), "user_list");
  const ViewOptions view{ctx.BaseUrl(), viewer, &rendered_};
  auto body = BeginOk();
  body.Key("user_list").BeginArray();
  for (const auto id : *ids) WriteUser(body, *users, id, view);
  body.EndArray();
  return ApiOk(std::move(body));
}

Response DouyinApi::FollowList(Request& request) { return UserList(request, false); }

Response DouyinApi::FollowerList(Request& request) { return UserList(request, true); }

Response DouyinApi::FriendList(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto viewer = ctx.Authenticate();
  if (!viewer.ok()) return Fail(request, viewer.error(), "user_list");
  auto requested = ctx.OptionalInt("user_id");
  if (!requested.ok()) return Fail(request, requested.error(), "user_list");
  const std::int64_t user_id = requested->value_or(0) == 0 ? *viewer : **requested;
  auto page = ctx.Paging(kListCap);
  if (!page.ok()) return Fail(request, page.error(), "user_list");
  auto ids = services_.relations.ListFriends(user_id, *page);
  if (!ids.ok()) return Fail(request, ids.error(), "user_list");
  auto users = LoadUsers(services_, *ids, *viewer);
  if (!users.ok()) return Fail(request, users.error(), "user_list");
  // Latest messages are private: shown only on your own friend list.
  std::vector<message::LatestMessage> latest;
  if (user_id == *viewer) {
    auto found = services_.messages.Latest(user_id, *ids);
    if (!found.ok()) return Fail(request, found.error(), "user_list");
    latest = std::move(*found);
  }
  const ViewOptions view{ctx.BaseUrl(), *viewer, &rendered_};
  auto body = BeginOk();
  body.Key("user_list").BeginArray();
  for (std::size_t i = 0; i < ids->size(); ++i) {
    const auto* last = i < latest.size() && latest[i].message ? &*latest[i].message : nullptr;
    const std::int64_t direction = last != nullptr && last->from_user_id == user_id ? 1 : 0;
    body.BeginObject();
    WriteUserFields(body, *users, (*ids)[i], view);
    // The API revisions disagree on the key's spelling; both are sent.
    body.Member("message", last != nullptr ? std::string_view(last->content) : std::string_view())
        .Member("msgType", direction)
        .Member("msg_type", direction)
        .EndObject();
  }
  body.EndArray();
  return ApiOk(std::move(body));
}

Response DouyinApi::MessageAction(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto action = ReadAction(ctx, "to_user_id");
  if (!action.ok()) return Fail(request, action.error());
  if (action->type != 1) return Fail(request, MakeError(Code::kInvalidArgument, "action_type must be 1 (send)"));
  auto content = ctx.RequiredString("content");
  if (!content.ok()) return Fail(request, content.error());
  auto sent = services_.messages.Send(action->user, action->target, *content);
  if (!sent.ok()) return Fail(request, sent.error());
  return ApiOk(BeginOk());
}

Response DouyinApi::MessageChat(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto user = ctx.Authenticate();
  if (!user.ok()) return Fail(request, user.error(), "message_list");
  auto peer = ctx.RequiredId("to_user_id");
  if (!peer.ok()) return Fail(request, peer.error(), "message_list");
  auto after = ctx.OptionalTime("pre_msg_time");
  if (!after.ok()) return Fail(request, after.error(), "message_list");
  auto page = ctx.Paging(kChatCap);
  if (!page.ok()) return Fail(request, page.error(), "message_list");
  const std::int64_t after_ms = after->value_or(0) > 0 ? ClientTimeToMs(**after, 0) : 0;
  auto messages = services_.messages.Chat(*user, *peer, after_ms, *page);
  if (!messages.ok()) return Fail(request, messages.error(), "message_list");
  auto body = BeginOk();
  body.Key("message_list").BeginArray();
  for (const auto& m : *messages) WriteMessage(body, m);
  body.EndArray();
  return ApiOk(std::move(body));
}

Response DouyinApi::MessageConversations(Request& request) {
  const RequestContext ctx(request, tokens_, options_.public_url);
  auto user = ctx.Authenticate();
  if (!user.ok()) return Fail(request, user.error(), "conversation_list");
  auto page = ctx.Paging(kListCap);
  if (!page.ok()) return Fail(request, page.error(), "conversation_list");
  auto conversations = services_.messages.Conversations(*user, *page);
  if (!conversations.ok()) return Fail(request, conversations.error(), "conversation_list");
  std::vector<std::int64_t> peers;
  peers.reserve(conversations->size());
  for (const auto& conversation : *conversations) peers.push_back(conversation.peer_id);
  auto users = LoadUsers(services_, peers, *user);
  if (!users.ok()) return Fail(request, users.error(), "conversation_list");
  const ViewOptions view{ctx.BaseUrl(), *user, &rendered_};
  auto body = BeginOk();
  body.Key("conversation_list").BeginArray();
  for (const auto& conversation : *conversations) {
    if (!conversation.message || !users->contains(conversation.peer_id)) continue;
    body.BeginObject().Key("user");
    WriteUser(body, *users, conversation.peer_id, view);
    body.Key("last_message");
    WriteMessage(body, *conversation.message);
    body.EndObject();
  }
  body.EndArray();
  return ApiOk(std::move(body));
}

Response DouyinApi::Media(Request& request) {
  constexpr std::string_view kPrefix = "/media/";
  auto media = services_.videos.FindMedia(std::string_view(request.path).substr(kPrefix.size()));
  if (!media.ok()) {
    if (media.error().code != Code::kNotFound) logger_.Error("media lookup: " + media.error().detail);
    return Response::Text(media.error().code == Code::kNotFound ? 404 : 503, media.error().message + "\n");
  }
  return http::ServeFile(request, media->absolute_path, {.content_type = media->content_type});
}

}  // namespace minitok::gateway
