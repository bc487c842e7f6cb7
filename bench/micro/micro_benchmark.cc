// Microbenchmarks of the pieces every request touches: routing, token verification, parameter
// decoding and the feed's JSON encoding.

#include <benchmark/benchmark.h>

#include "gateway/views.h"
#include "libs/http/form.h"
#include "libs/http/router.h"
#include "libs/security/token_codec.h"

namespace minitok {
namespace {

void BM_RouterMatch(benchmark::State& state) {
  http::Router router;
  for (const char* path : {"/douyin/feed/", "/douyin/user/", "/douyin/user/register/", "/douyin/user/login/",
                           "/douyin/publish/action/", "/douyin/publish/list/", "/douyin/favorite/action/",
                           "/douyin/favorite/list/", "/douyin/comment/action/", "/douyin/comment/list/",
                           "/douyin/relation/action/", "/douyin/relation/follow/list/",
                           "/douyin/relation/follower/list/", "/douyin/relation/friend/list/",
                           "/douyin/message/action/", "/douyin/message/chat/"}) {
    router.Add({.pattern = path, .methods = {http::Method::kGet}, .handler = {}});
  }
  router.AddPrefix({.pattern = "/media/", .methods = {http::Method::kGet}, .handler = {}});
  for (auto _ : state) {
    benchmark::DoNotOptimize(router.Match(http::Method::kGet, "/douyin/relation/follower/list/"));
    benchmark::DoNotOptimize(router.Match(http::Method::kGet, "/media/videos/0123456789abcdef/play-2.mp4"));
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_RouterMatch);

void BM_TokenVerify(benchmark::State& state) {
  const SystemClock clock;
  const security::TokenCodec codec("0123456789abcdef0123456789abcdef0123456789abcdef", 3600, clock);
  const std::string token = codec.Issue(123456);
  for (auto _ : state) benchmark::DoNotOptimize(codec.Verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerify);

void BM_QueryDecode(benchmark::State& state) {
  const std::string query =
      "token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTYiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0"
      ".abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG&video_id=1.234567e%2B06&action_type=1&comment_text=%E6%B5%8B%E8%AF%95";
  for (auto _ : state) {
    http::Params params;
    benchmark::DoNotOptimize(http::ParseUrlEncoded(query, params, false));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueryDecode);

/// One feed page: 30 videos by 10 authors, as the gateway writes it.
void BM_FeedJson(benchmark::State& state) {
  gateway::VideoViews views;
  for (std::int64_t id = 1; id <= 30; ++id) {
    video::VideoRecord v;
    v.id = 1000000 - id;
    v.author_id = id % 10 + 1;
    v.title = "A seeded video title with a few words " + std::to_string(id);
    v.play_path = "videos/0123456789abcdef/play-2.mp4";
    v.cover_path = "videos/0123456789abcdef/cover-1.jpg";
    v.state = video::VideoState::kReady;
    views.videos.push_back(v);
    views.favorites.push_back({v.id, 12345, id % 3 == 0});
    views.comments.push_back({v.id, 678});
  }
  for (std::int64_t author = 1; author <= 10; ++author) {
    views.authors[author] = {.id = author, .name = "seed" + std::to_string(author), .follow_count = 120,
                             .follower_count = 45678, .work_count = 90, .favorite_count = 300,
                             .total_favorited = 987654};
  }
  const gateway::ViewOptions options{"http://127.0.0.1:8080", 0};
  std::size_t bytes = 0;
  for (auto _ : state) {
    json::JsonWriter out;
    out.BeginObject().Member("status_code", 0).Member("status_msg", "ok");
    gateway::WriteVideoList(out, "video_list", views, options);
    out.Member("next_time", std::int64_t{1795692756853}).EndObject();
    bytes = out.str().size();
    benchmark::DoNotOptimize(out.str().data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_FeedJson);

}  // namespace
}  // namespace minitok
