#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway/api_envelope.h"
#include "gateway/douyin_api.h"
#include "gateway/request_context.h"

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
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer(), 1);
  request.params.AddBody("token", tokens.Issue(2));
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer(), 2);
  request.headers.emplace_back("authorization", "Bearer " + tokens.Issue(3));
  EXPECT_EQ(RequestContext(request, tokens, "").Viewer(), 3);
  http::Request bad;
  bad.params.AddQuery("token", "garbage");
  EXPECT_EQ(RequestContext(bad, tokens, "").Viewer(), 0);
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
}

TEST(ApiEnvelopeTest, ErrorsCarryCodeAndPublicMessageOnly) {
  const auto response = ApiError(InternalError("SQL: no such table"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.api_status, 10500);
  EXPECT_EQ(response.body.find("SQL"), std::string::npos);
  EXPECT_NE(StatusCodeOf(Code::kNotFound), 0);
  EXPECT_EQ(ApiOk(BeginOk()).body, R"({"status_code":0,"status_msg":"ok"})");
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
