#include "libs/http/file_response.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <functional>

namespace minitok::http {
namespace {

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// True when an If-None-Match value lists `etag` (or is "*").
bool EtagListed(std::string_view header, std::string_view etag) {
  if (header.find('*') != std::string_view::npos) return true;
  std::size_t pos = 0;
  while (pos < header.size()) {
    const std::size_t comma = header.find(',', pos);
    std::string_view candidate = header.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
    while (!candidate.empty() && candidate.front() == ' ') candidate.remove_prefix(1);
    while (!candidate.empty() && candidate.back() == ' ') candidate.remove_suffix(1);
    if (candidate.substr(0, 2) == "W/") candidate.remove_prefix(2);
    if (candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  std::tm tm{};
  const std::string copy(text);
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

/// The common part of files and in-memory bytes: validators, conditionals, ranges.
Response Answer(const Request& request, std::uint64_t size, const std::string& etag,
                std::optional<std::int64_t> modified_seconds, const StaticOptions& options,
                const std::function<void(Response&, ByteRange)>& attach_body) {
  Response response;
  response.content_type = options.content_type;
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back("Cache-Control", options.cache_control);
  response.headers.emplace_back("Accept-Ranges", "bytes");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (modified_seconds) response.headers.emplace_back("Last-Modified", HttpDate(*modified_seconds));

  bool not_modified = false;
  if (const auto none_match = request.Header("if-none-match")) {
    not_modified = EtagListed(*none_match, etag);
  } else if (const auto since = request.Header("if-modified-since"); since && modified_seconds) {
    const auto parsed = ParseHttpDate(*since);
    not_modified = parsed && *modified_seconds <= *parsed;
  }
  if (not_modified) {
    response.status = 304;
    response.head_length = 0;
    return response;
  }

  ByteRange range{0, size};
  RangeOutcome outcome = RangeOutcome::kWhole;
  if (const auto header = request.Header("range")) {
    // If-Range: serve the range only if the client's copy is still this one.
    const auto if_range = request.Header("if-range");
    if (!if_range || *if_range == etag) outcome = ResolveRange(*header, size, range);
  }
  if (outcome == RangeOutcome::kUnsatisfiable) {
    response.status = 416;
    response.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    response.head_length = 0;
    return response;
  }
  if (outcome == RangeOutcome::kPartial) {
    response.status = 206;
    response.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                       std::to_string(range.first + range.length - 1) + "/" +
                                                       std::to_string(size));
  } else {
    range = {0, size};
  }
  if (request.method == Method::kHead) {
    response.head_length = range.length;
    return response;
  }
  attach_body(response, range);
  return response;
}

}  // namespace

RangeOutcome ResolveRange(std::string_view header, std::uint64_t size, ByteRange& range) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return RangeOutcome::kWhole;
  std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return RangeOutcome::kWhole;
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeOutcome::kWhole;
  const auto first = ParseUnsigned(spec.substr(0, dash));
  const auto last = ParseUnsigned(spec.substr(dash + 1));
  if (!first && !last) return RangeOutcome::kWhole;
  if (!first) {  // suffix: the last N bytes
    if (*last == 0) return RangeOutcome::kUnsatisfiable;
    const std::uint64_t length = std::min(*last, size);
    range = {size - length, length};
    return size == 0 ? RangeOutcome::kUnsatisfiable : RangeOutcome::kPartial;
  }
  if (*first >= size) return RangeOutcome::kUnsatisfiable;
  if (last && *last < *first) return RangeOutcome::kWhole;  // invalid: ignore the header
  const std::uint64_t end = last ? std::min(*last, size - 1) : size - 1;
  range = {*first, end - *first + 1};
  return RangeOutcome::kPartial;
}

std::string HttpDate(std::int64_t epoch_seconds) {
  const auto time = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

Response ServeFile(const Request& request, const std::string& path, const StaticOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Response::Text(404, "not found\n");
  auto file = std::make_shared<FileBody>();
  file->fd = fd;
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return Response::Text(404, "not found\n");
  const auto size = static_cast<std::uint64_t>(info.st_size);
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec));
  return Answer(request, size, etag, static_cast<std::int64_t>(info.st_mtim.tv_sec), options,
                [&](Response& response, ByteRange range) {
                  file->offset = range.first;
                  file->length = range.length;
                  response.file = file;
                });
}

Response ServeBytes(const Request& request, std::string_view bytes, const StaticOptions& options) {
  char etag[32];
  std::snprintf(etag, sizeof etag, "\"%zx\"", std::hash<std::string_view>{}(bytes));
  return Answer(request, bytes.size(), etag, std::nullopt, options, [&](Response& response, ByteRange range) {
    response.body = std::string(bytes.substr(range.first, range.length));
  });
}

}  // namespace minitok::http
