// Percent-decoding (paths and form values) and routing the decoded paths.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libs/http/form.h"
#include "libs/http/router.h"

namespace {

const minitok::http::Router& Routes() {
  static const minitok::http::Router router = [] {
    minitok::http::Router r;
    const auto answer = [](minitok::http::Request&) { return minitok::http::Response::Text(200, "ok"); };
    for (const char* pattern : {"/douyin/feed", "/douyin/user", "/douyin/publish/action", "/douyin/relation/follow/list"}) {
      r.Add({.pattern = pattern, .methods = {minitok::http::Method::kGet}, .handler = answer});
    }
    r.AddPrefix({.pattern = "/media/", .methods = {minitok::http::Method::kGet}, .handler = answer});
    r.AddPrefix({.pattern = "/", .methods = {minitok::http::Method::kGet}, .handler = answer});
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool plus_is_space : {false, true}) {
    const auto decoded = minitok::http::PercentDecode(text, plus_is_space);
    if (!decoded) continue;
    if (decoded->size() > size) std::abort();  // decoding never grows
    const auto match = Routes().Match(minitok::http::Method::kGet, *decoded);
    (void)match;
  }
  return 0;
}
