#pragma once
// Static bytes over HTTP: byte ranges (206/416), HEAD, ETag/Last-Modified validators and
// conditional requests, long-lived caching for immutable URLs. Files are streamed, never
// read whole into memory.

#include <cstdint>
#include <string>
#include <string_view>

#include "libs/http/message.h"

namespace minitok::http {

struct StaticOptions {
  std::string content_type;
  std::string cache_control = "public, max-age=31536000, immutable";
};

/// Opens `path` and answers `request` with it (404 when it cannot be opened).
Response ServeFile(const Request& request, const std::string& path, const StaticOptions& options);

/// Answers `request` with in-memory bytes (built-in assets), with an ETag from their content.
Response ServeBytes(const Request& request, std::string_view bytes, const StaticOptions& options);

/// A single "bytes=" range resolved against `size`.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
enum class RangeOutcome { kWhole, kPartial, kUnsatisfiable };
/// Parses a Range header value (exposed for tests). Several ranges are served whole.
RangeOutcome ResolveRange(std::string_view header, std::uint64_t size, ByteRange& range);

/// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string HttpDate(std::int64_t epoch_seconds);

}  // namespace minitok::http
