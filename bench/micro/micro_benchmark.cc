// Microbenchmarks of the pieces every request touches: routing, token verification, parameter
// decoding, the feed's JSON encoding (rendered anew and reused), the object caches, and the
// rate-limit check (one bucket, and memory under a flood of distinct clients).

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include "gateway/traffic_control.h"
#include "gateway/views.h"
#include "libs/cache/id_set_cache.h"
#include "libs/cache/keyed_cache.h"
#include "libs/http/form.h"
#include "libs/http/router.h"
#include "libs/ratelimit/local_limiter.h"
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

/// The first verification of each token: its signature, header and claims are checked.
void BM_TokenVerifyFirstTime(benchmark::State& state) {
  const SystemClock clock;
  const security::TokenCodec codec("0123456789abcdef0123456789abcdef0123456789abcdef", 3600, clock);
  std::int64_t next_user = 1;
  std::vector<std::string> tokens;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == tokens.size()) {  // a new batch of tokens the codec has never seen
      state.PauseTiming();
      tokens.clear();
      for (int i = 0; i < 10'000; ++i) tokens.push_back(codec.Issue(next_user++));
      next = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(codec.Verify(tokens[next++]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerifyFirstTime);

/// A token the codec verified before (every request of a client after its first).
void BM_TokenVerifyRemembered(benchmark::State& state) {
  const SystemClock clock;
  const security::TokenCodec codec("0123456789abcdef0123456789abcdef0123456789abcdef", 3600, clock);
  const std::string token = codec.Issue(123456);
  for (auto _ : state) benchmark::DoNotOptimize(codec.Verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerifyRemembered);

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

/// Hits in a warm object cache (the counters of a feed page: 30 lookups).
void BM_KeyedCacheHits(benchmark::State& state) {
  cache::KeyedCache<std::int64_t> counts(200'000);
  for (std::int64_t id = 1; id <= 100'000; ++id) counts.Fill(id, id * 3, counts.TicketFor(id));
  std::int64_t ids[30];
  for (std::int64_t i = 0; i < 30; ++i) ids[i] = 1 + i * 3'331;
  for (auto _ : state) {
    auto values = cache::GetMany(counts, ids, [](std::span<const std::int64_t>) -> Result<std::vector<std::int64_t>> {
      return std::vector<std::int64_t>{};
    });
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations() * 30);
}
BENCHMARK(BM_KeyedCacheHits);

/// Which of a page's 30 videos the viewer likes, from a cached set of 300 liked ids.
void BM_IdSetAmong(benchmark::State& state) {
  cache::IdSetCache liked(
      100'000, 5'000,
      [](std::int64_t, std::int64_t) -> Result<std::vector<std::int64_t>> {
        std::vector<std::int64_t> ids;
        for (std::int64_t i = 1; i <= 300; ++i) ids.push_back(i * 31);
        return ids;
      },
      [](std::int64_t, std::span<const std::int64_t>) -> Result<std::vector<std::int64_t>> {
        return std::vector<std::int64_t>{};
      });
  std::int64_t page[30];
  for (std::int64_t i = 0; i < 30; ++i) page[i] = 1 + i * 37;
  for (auto _ : state) benchmark::DoNotOptimize(liked.Among(7, page));
  state.SetItemsProcessed(state.iterations() * 30);
}
BENCHMARK(BM_IdSetAmong);

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
  gateway::RenderedJsonCache rendered(1000);
  const gateway::ViewOptions options{"http://127.0.0.1:8080", 0, state.range(0) == 1 ? &rendered : nullptr};
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
// 0: every object rendered anew; 1: reused from the rendered-object cache (warm after one page).
BENCHMARK(BM_FeedJson)->Arg(0)->Arg(1);

/// One admission of a limited read from one address: what the reads limit adds to every read.
void BM_ReadAdmission(benchmark::State& state) {
  const SystemClock clock;
  const security::TokenCodec codec("0123456789abcdef0123456789abcdef0123456789abcdef", 3600, clock);
  ratelimit::LocalLimiter limiter;
  const gateway::TrafficControl traffic({{"reads", {.burst = 1'000'000'000, .refill_every_ms = 1}}}, limiter, {},
                                        codec);
  const auto admit = traffic.AdmissionFor(gateway::Limited::kRead);
  http::Request request;
  request.remote_address = "203.0.113.7";
  for (auto _ : state) benchmark::DoNotOptimize(admit(request));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadAdmission);

std::int64_t ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

/// A flood of 1M distinct client addresses against the login limit (default bound: 1M keys),
/// then 1M more: resident memory grows to the bound and no further.
void BM_LimiterMemoryUnderDistinctClients(benchmark::State& state) {
  for (auto _ : state) {
    const std::int64_t before_kib = ResidentKib();
    std::int64_t after_first_kib = 0;
    std::size_t keys_after_first = 0;
    {
      ratelimit::LocalLimiter limiter;
      ratelimit::Check check{.limit = "login", .rule = {.burst = 60, .refill_every_ms = 1000}};
      for (std::uint32_t i = 0; i < 2'000'000; ++i) {
        check.subject = std::to_string(10 + (i >> 24)) + "." + std::to_string((i >> 16) & 255) + "." +
                        std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
        benchmark::DoNotOptimize(limiter.DecideNow({&check, 1}));
        if (i + 1 == 1'000'000) {
          after_first_kib = ResidentKib();
          keys_after_first = limiter.size();
        }
      }
      state.counters["keys_after_1M"] = static_cast<double>(keys_after_first);
      state.counters["keys_after_2M"] = static_cast<double>(limiter.size());
      state.counters["rss_MiB_after_1M"] = static_cast<double>(after_first_kib - before_kib) / 1024;
      state.counters["rss_MiB_after_2M"] = static_cast<double>(ResidentKib() - before_kib) / 1024;
    }
  }
}
BENCHMARK(BM_LimiterMemoryUnderDistinctClients)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace minitok
