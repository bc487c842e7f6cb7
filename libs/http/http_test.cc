#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "libs/http/form.h"
#include "libs/http/router.h"

namespace minitok::http {
namespace {

TEST(RouterTest, MatchesWithAndWithoutTrailingSlashAndChecksMethod) {
  Router router;
  router.Add({.pattern = "/douyin/feed/", .methods = {Method::kGet}, .handler = [](Request&) { return Response{}; }});
  router.AddPrefix({.pattern = "/media/", .methods = {Method::kGet, Method::kHead}, .handler = {}});
  EXPECT_TRUE(router.Match(Method::kGet, "/douyin/feed").method_allowed);
  EXPECT_TRUE(router.Match(Method::kGet, "/douyin/feed/").method_allowed);
  auto post = router.Match(Method::kPost, "/douyin/feed/");
  EXPECT_NE(post.route, nullptr);
  EXPECT_FALSE(post.method_allowed);
  EXPECT_EQ(router.Match(Method::kGet, "/douyin/feedx").route, nullptr);
  EXPECT_EQ(router.Match(Method::kGet, "/media/v/1/a.mp4").route->pattern, "/media/");
  EXPECT_EQ(router.Match(Method::kGet, "/nothing").route, nullptr);
}

TEST(UrlEncodedTest, DecodesAndRefusesBrokenEscapes) {
  Params params;
  ASSERT_TRUE(ParseUrlEncoded("a=1&b=x+y%21&c=%E6%B5%8B&&d", params, false));
  EXPECT_EQ(params.Get("a"), "1");
  EXPECT_EQ(params.Get("b"), "x y!");
  EXPECT_EQ(params.Get("c"), "\xE6\xB5\x8B");
  EXPECT_EQ(params.Get("d"), "");
  EXPECT_FALSE(params.Get("e"));
  Params broken;
  EXPECT_FALSE(ParseUrlEncoded("a=%4", broken, false));
  EXPECT_FALSE(ParseUrlEncoded("a=%zz", broken, false));
}

TEST(ParamsTest, BodyWinsOverQuery) {
  Params params;
  params.AddQuery("token", "q");
  params.AddBody("token", "b");
  EXPECT_EQ(params.Get("token"), "b");
  EXPECT_EQ(params.GetFromQuery("token"), "q");
}

TEST(MultipartBoundaryTest, ReadsPlainAndQuoted) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  EXPECT_FALSE(MultipartBoundary("application/json"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data"));
}

std::string Body() {
  return "preamble\r\n--XyZ\r\n"
         "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
         "Bear \xE7\x86\x8A\r\n"
         "--XyZ\r\n"
         "Content-Disposition: form-data; name=\"data\"; filename=\"bear.mp4\"\r\n"
         "Content-Type: video/mp4\r\n\r\n"
         "\r\n--Xy binary\r\n-- not a boundary\r\n"
         "--XyZ--\r\nepilogue";
}

class MultipartTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MultipartTest, ParsesFieldsAndStreamsTheFileInAnyChunking) {
  const auto dir = std::filesystem::temp_directory_path() / "minitok-multipart-test";
  std::filesystem::create_directories(dir);
  Params params;
  FormCollector collector(params, dir.string(), 1024);
  MultipartParser parser("XyZ", collector);
  const std::string body = Body();
  for (std::size_t i = 0; i < body.size(); i += GetParam()) {
    ASSERT_TRUE(parser.Feed(std::string_view(body).substr(i, GetParam()))) << parser.error() << collector.error();
  }
  ASSERT_TRUE(parser.Finish());
  EXPECT_EQ(params.Get("title"), "Bear \xE7\x86\x8A");
  auto upload = collector.TakeUpload();
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->file_name, "bear.mp4");
  EXPECT_EQ(upload->field_name, "data");
  std::ifstream in(upload->file->path(), std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "\r\n--Xy binary\r\n-- not a boundary");  // the CRLF before a delimiter belongs to it
  EXPECT_EQ(upload->size, content.size());
  const std::string path = upload->file->path();
  upload.reset();
  EXPECT_FALSE(std::filesystem::exists(path));  // temp file removed with its last owner
}

INSTANTIATE_TEST_SUITE_P(Chunkings, MultipartTest, ::testing::Values(1, 2, 3, 7, 64, 100000));

TEST(MultipartTest, RefusesTruncatedAndMalformedBodies) {
  Params params;
  FormCollector collector(params, "", 1024);
  MultipartParser truncated("XyZ", collector);
  ASSERT_TRUE(truncated.Feed("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"));
  EXPECT_FALSE(truncated.Finish());

  Params p2;
  FormCollector c2(p2, "", 1024);
  MultipartParser no_disposition("XyZ", c2);
  EXPECT_FALSE(no_disposition.Feed("--XyZ\r\nContent-Type: text/plain\r\n\r\nvalue\r\n--XyZ--"));

  Params p3;
  FormCollector c3(p3, "", 1024);  // no upload dir: files refused
  MultipartParser file_refused("XyZ", c3);
  EXPECT_FALSE(file_refused.Feed(
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nvalue\r\n--XyZ--"));

  Params p4;
  FormCollector c4(p4, "", 4);  // field longer than allowed
  MultipartParser too_long("XyZ", c4);
  EXPECT_FALSE(too_long.Feed("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n123456\r\n--XyZ--"));
}

}  // namespace
}  // namespace minitok::http

#include "libs/http/file_response.h"

namespace minitok::http {
namespace {

TEST(ResolveRangeTest, HandlesEveryForm) {
  ByteRange r;
  EXPECT_EQ(ResolveRange("bytes=0-99", 1000, r), RangeOutcome::kPartial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.length, 100u);
  EXPECT_EQ(ResolveRange("bytes=900-", 1000, r), RangeOutcome::kPartial);
  EXPECT_EQ(r.length, 100u);
  EXPECT_EQ(ResolveRange("bytes=-10", 1000, r), RangeOutcome::kPartial);
  EXPECT_EQ(r.first, 990u);
  EXPECT_EQ(ResolveRange("bytes=990-5000", 1000, r), RangeOutcome::kPartial);
  EXPECT_EQ(r.length, 10u);
  EXPECT_EQ(ResolveRange("bytes=1000-", 1000, r), RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=-0", 1000, r), RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ResolveRange("bytes=5-1", 1000, r), RangeOutcome::kWhole);
  EXPECT_EQ(ResolveRange("bytes=0-1,5-6", 1000, r), RangeOutcome::kWhole);
  EXPECT_EQ(ResolveRange("items=0-1", 1000, r), RangeOutcome::kWhole);
  EXPECT_EQ(ResolveRange("bytes=a-b", 1000, r), RangeOutcome::kWhole);
}

TEST(ServeBytesTest, AnswersConditionalAndRangeRequests) {
  Request request;
  request.method = Method::kGet;
  const StaticOptions options{.content_type = "text/plain"};
  Response whole = ServeBytes(request, "hello world", options);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "hello world");
  std::string etag;
  for (const auto& [name, value] : whole.headers) {
    if (name == "ETag") etag = value;
  }
  ASSERT_FALSE(etag.empty());

  request.headers = {{"if-none-match", etag}};
  EXPECT_EQ(ServeBytes(request, "hello world", options).status, 304);

  request.headers = {{"range", "bytes=6-"}};
  Response part = ServeBytes(request, "hello world", options);
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "world");

  request.headers = {{"range", "bytes=6-"}, {"if-range", "\"stale\""}};
  EXPECT_EQ(ServeBytes(request, "hello world", options).status, 200);

  request.headers = {{"range", "bytes=50-"}};
  EXPECT_EQ(ServeBytes(request, "hello world", options).status, 416);

  request.headers = {};
  request.method = Method::kHead;
  Response head = ServeBytes(request, "hello world", options);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.head_length, 11u);
}

}  // namespace
}  // namespace minitok::http
