#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway/api_envelope.h"
#include "gateway/douyin_api.h"
#include "gateway/request_context.h"
#include "gateway/views.h"

namespace minitok::gateway {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(ClientTimeToMsTest, AcceptsSecondsAndMilliseconds) {
  EXPECT_EQ(ClientTimeToMs(0, 42), 42);
  EXPECT_EQ(ClientTimeToMs(-5, 42), 42);
  EXPECT_EQ(ClientTimeToMs(1'700'000'000, 0), 1'700'000'000'000);
  EXPECT_EQ(ClientTimeToMs(1'700'000'000'123, 0), 1'700'000'000'123);
}

TEST(RequestContextTest, TokenPrecedenceIsHeaderThenBodyThenQuery) {
  ManualClock clock(1'700'000'000'000);
  security::TokenCodec tokens(std::string(kSecret), 60, clock);
  http::Request request;
  request.params.AddQuery("token", tokens.Issue(1));
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer().value(), 1);
  request.params.AddBody("token", tokens.Issue(2));
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer().value(), 2);
  request.headers.emplace_back("authorization", "Bearer " + tokens.Issue(3));
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer().value(), 3);
  http::Request bad;
  bad.params.AddQuery("token", "garbage");
  EXPECT_EQ(RequestContext(http::Request{}, tokens, "").Viewer().value(), 0);
  // Present but invalid: an error everywhere, except where anonymity is the fallback (the feed).
  EXPECT_EQ(RequestContext(bad, tokens, "").Viewer().error().code, Code::kUnauthenticated);
  EXPECT_EQ(RequestContext(bad, tokens, "").ViewerOrAnonymous(), 0);
  EXPECT_EQ(RequestContext(bad, tokens, "").Authenticate().error().code, Code::kUnauthenticated);
}

TEST(RequestContextTest, ParsesIdsStrictlyAndPagesWithinCaps) {
  ManualClock clock(0);
  security::TokenCodec tokens(std::string(kSecret), 60, clock);
  http::Request request;
  request.params.AddQuery("video_id", "1.234567e+06");
  request.params.AddQuery("bad", "1.5");
  request.params.AddQuery("zero", "0");
  request.params.AddQuery("limit", "101");
  const RequestContext ctx(request, tokens, "");
  EXPECT_EQ(ctx.RequiredId("video_id").value(), 1234567);
  EXPECT_EQ(ctx.RequiredId("bad").error().code, Code::kInvalidArgument);
  EXPECT_EQ(ctx.RequiredId("zero").error().code, Code::kInvalidArgument);
  EXPECT_EQ(ctx.RequiredId("missing").error().message, "missing parameter missing");
  EXPECT_FALSE(ctx.Paging(100).ok());
  EXPECT_EQ(ctx.Paging(500).value().limit, 101);
}

TEST(RequestContextTest, PagingRefusesTheExtremesOfOffsetAndLimit) {
  ManualClock clock(0);
  security::TokenCodec tokens(std::string(kSecret), 60, clock);
  const auto paging = [&](std::string offset, std::string limit) {
    http::Request request;
    request.params.AddQuery("offset", offset);
    request.params.AddQuery("limit", limit);
    return RequestContext(request, tokens, "").Paging(100);
  };
  EXPECT_EQ(paging("1000000000", "100").value().offset, 1'000'000'000);  // the largest offset
  for (const auto& [offset, limit] : std::vector<std::pair<std::string, std::string>>{
           {"1000000001", "1"}, {"9223372036854775807", "100"}, {"-1", "1"}, {"-9223372036854775808", "1"},
           {"0", "0"}, {"0", "101"}, {"0", "9223372036854775807"}, {"0", "-9223372036854775808"},
           {"9223372036854775808", "1"}}) {
    const auto page = paging(offset, limit);
    ASSERT_FALSE(page.ok()) << offset << " " << limit;
    EXPECT_EQ(page.error().code, Code::kInvalidArgument);
  }
}

TEST(RequestContextTest, BaseUrlFromPublicUrlOrASafeHost) {
  ManualClock clock(0);
  security::TokenCodec tokens(std::string(kSecret), 60, clock);
  http::Request request;
  request.headers.emplace_back("host", "phone.lan:8080");
  EXPECT_EQ(RequestContext(request, tokens, "").BaseUrl(), "http://phone.lan:8080");
  EXPECT_EQ(RequestContext(request, tokens, "https://cdn.example/").BaseUrl(), "https://cdn.example");
  http::Request evil;
  evil.headers.emplace_back("host", "x\"><script>");
  EXPECT_EQ(RequestContext(evil, tokens, "").BaseUrl(), "http://127.0.0.1");
  evil.local_authority = "192.0.2.7:8080";
  EXPECT_EQ(RequestContext(evil, tokens, "").BaseUrl(), "http://192.0.2.7:8080");
  http::Request without_host;
  without_host.local_authority = "[::1]:9000";
  EXPECT_EQ(RequestContext(without_host, tokens, "").BaseUrl(), "http://[::1]:9000");
  http::Request empty_host;
  empty_host.headers.emplace_back("host", "");
  empty_host.local_authority = "127.0.0.1:8081";
  EXPECT_EQ(RequestContext(empty_host, tokens, "").BaseUrl(), "http://127.0.0.1:8081");
}

TEST(ApiEnvelopeTest, ErrorsCarryCodeAndPublicMessageOnly) {
  const auto response = ApiError(InternalError("SQL: no such table"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.api_status, 10500);
  EXPECT_EQ(response.body.find("SQL"), std::string::npos);
  EXPECT_NE(StatusCodeOf(Code::kNotFound), 0);
  EXPECT_EQ(ApiOk(BeginOk()).body, R"({"status_code":0,"status_msg":"ok"})");
}

VideoViews SampleViews() {
  VideoViews views;
  for (std::int64_t id = 1; id <= 4; ++id) {
    video::VideoRecord v;
    v.id = id;
    v.author_id = id % 2 + 1;
    v.title = "title \"" + std::to_string(id) + "\" 中";
    v.play_path = "k" + std::to_string(id) + "/play-2.mp4";
    v.cover_path = "k" + std::to_string(id) + "/cover-1.jpg";
    v.state = video::VideoState::kReady;
    views.videos.push_back(v);
    views.favorites.push_back({id, id * 10, id % 2 == 0});
    views.comments.push_back({id, id * 3});
  }
  views.authors[1] = {.id = 1, .name = "alice", .signature = "hi", .follow_count = 2, .is_follow = true};
  views.authors[2] = {.id = 2, .name = "bob", .follower_count = 7, .is_follow = false};
  return views;
}

std::string Render(const VideoViews& views, const ViewOptions& options) {
  json::JsonWriter out;
  out.BeginObject();
  WriteVideoList(out, "video_list", views, options);
  out.EndObject();
  return out.Take();
}

// Reused renderings must be byte-for-byte what rendering anew writes, whatever changed since.
TEST(RenderedJsonCacheTest, ReusedObjectsAreExactlyWhatRenderingWrites) {
  RenderedJsonCache cache(100);
  auto views = SampleViews();
  const ViewOptions plain{"http://a.example", 0};
  const ViewOptions cached{"http://a.example", 0, &cache};
  EXPECT_EQ(Render(views, cached), Render(views, plain));  // first: renders and keeps
  EXPECT_EQ(Render(views, cached), Render(views, plain));  // then: reuses
  // Another viewer: other booleans in the same objects.
  views.authors[1].is_follow = false;
  views.authors[2].is_follow = true;
  for (auto& f : views.favorites) f.is_favorite = !f.is_favorite;
  EXPECT_EQ(Render(views, cached), Render(views, plain));
  // Counters, profile text and the base URL all change what is written.
  views.favorites[0].favorite_count += 1;
  views.comments[1].comment_count += 1;
  views.authors[2].total_favorited += 5;
  views.authors[1].name = "alice2";
  EXPECT_EQ(Render(views, cached), Render(views, plain));
  const ViewOptions other_host{"http://b.example", 0, &cache};
  EXPECT_EQ(Render(views, other_host), Render(views, {"http://b.example", 0}));
  EXPECT_NE(Render(views, other_host).find("http://b.example/media/k1/play-2.mp4"), std::string::npos);
  // The author's own list shows processing state and is never taken from the cache.
  views.videos[0].state = video::VideoState::kProcessing;
  views.videos[0].state_reason = "transcoding: 10%";
  const ViewOptions author{"http://a.example", 2, &cache};
  const std::string own = Render(views, author);
  EXPECT_EQ(own, Render(views, {"http://a.example", 2}));
  EXPECT_NE(own.find("\"state_reason\":\"transcoding: 10%\""), std::string::npos);
}

std::string RenderUsers(const UserViews& users, const ViewOptions& options) {
  json::JsonWriter out;
  out.BeginArray();
  for (const std::int64_t id : {1, 2, 3}) WriteUser(out, users, id, options);  // 3: unknown
  out.BeginObject();  // an object extended after the user's members, as friend lists do
  WriteUserFields(out, users, 1, options);
  out.Member("message", "hi").EndObject().EndArray();
  return out.Take();
}

TEST(RenderedJsonCacheTest, ReusedUsersAreExactlyWhatRenderingWrites) {
  RenderedJsonCache cache(100);
  auto users = SampleViews().authors;
  const ViewOptions plain{"http://a.example", 1};
  const ViewOptions cached{"http://a.example", 1, &cache};
  EXPECT_EQ(RenderUsers(users, cached), RenderUsers(users, plain));
  EXPECT_EQ(RenderUsers(users, cached), RenderUsers(users, plain));
  users[1].is_follow = !users[1].is_follow;
  users[2].follower_count += 1;
  users[2].signature = "new \"signature\"";
  EXPECT_EQ(RenderUsers(users, cached), RenderUsers(users, plain));
  EXPECT_NE(RenderUsers(users, cached).find(R"("message":"hi")"), std::string::npos);
}

TEST(MonthDayTest, UsesTheProcessTimeZone) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(MonthDay(1'700'000'000'000), "11-14");  // 2023-11-14 22:13 UTC
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  EXPECT_EQ(MonthDay(1'700'000'000'000), "11-15");  // 06:13 next day in UTC+8
  setenv("TZ", "UTC", 1);
  tzset();
}

}  // namespace
}  // namespace minitok::gateway
