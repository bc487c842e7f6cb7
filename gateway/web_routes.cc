#include "gateway/web_routes.h"

#include <string>

#include "embedded/asset_files.h"
#include "embedded/web_files.h"
#include "libs/http/file_response.h"

namespace minitok::gateway {
namespace {

std::string ContentTypeOf(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view extension = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (extension == "html") return "text/html; charset=utf-8";
  if (extension == "js" || extension == "mjs") return "text/javascript; charset=utf-8";
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "svg") return "image/svg+xml";
  if (extension == "png") return "image/png";
  if (extension == "jpg" || extension == "jpeg") return "image/jpeg";
  if (extension == "json" || extension == "webmanifest") return "application/json";
  if (extension == "ico") return "image/x-icon";
  if (extension == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

void AddFile(http::Router& router, std::string url, const EmbeddedFile& file, std::string cache_control) {
  const bool is_html = file.path.ends_with(".html");
  http::StaticOptions options{.content_type = ContentTypeOf(file.path), .cache_control = std::move(cache_control)};
  const std::string_view bytes = file.bytes;
  router.Add({.pattern = std::move(url),
              .methods = {http::Method::kGet, http::Method::kHead},
              .handler =
                  [options, bytes, is_html](http::Request& request) {
                    http::Response response = http::ServeBytes(request, bytes, options);
                    if (is_html) {
                      response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
                      response.headers.emplace_back("Referrer-Policy", "no-referrer");
                    }
                    return response;
                  },
              .executor = http::Executor::kEventLoop});
}

}  // namespace

void AddWebRoutes(http::Router& router) {
  // The client's files change with each build and keep their names: revalidate with the ETag.
  for (const auto& file : web_files::Files()) {
    const std::string path(file.path);
    AddFile(router, "/" + path, file, "no-cache");
    if (path == "index.html") AddFile(router, "/", file, "no-cache");
  }
  for (const auto& file : asset_files::Files()) {
    AddFile(router, "/assets/" + std::string(file.path), file, "public, max-age=86400");
  }
}

}  // namespace minitok::gateway
