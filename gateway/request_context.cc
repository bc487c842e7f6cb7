#include "gateway/request_context.h"

#include "libs/core/numbers.h"

namespace minitok::gateway {
namespace {

/// A Host header is echoed into URLs, so only plain host[:port] characters are trusted.
bool IsSafeHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

Error Missing(std::string_view name) {
  return MakeError(Code::kInvalidArgument, "missing parameter " + std::string(name));
}

}  // namespace

RequestContext::RequestContext(const http::Request& request, const security::TokenCodec& tokens,
                               const std::string& public_url)
    : request_(request), tokens_(tokens) {
  if (!public_url.empty()) {
    base_url_ = public_url;
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  } else {
    // Without a usable Host (HTTP/1.0, empty, hostile) the URL names the address and port this
    // client reached, so media links keep working and never lose the port.
    const auto host = request.Header("host");
    if (host && IsSafeHost(*host)) {
      base_url_ = "http://" + std::string(*host);
    } else if (!request.local_authority.empty()) {
      base_url_ = "http://" + request.local_authority;
    } else {
      base_url_ = "http://127.0.0.1";
    }
  }
}

Result<std::optional<std::int64_t>> RequestContext::OptionalInt(std::string_view name) const {
  const auto raw = request_.params.Get(name);
  if (!raw) return std::optional<std::int64_t>();
  const auto value = ParseExactInteger(*raw);
  if (!value) return MakeError(Code::kInvalidArgument, std::string(name) + " must be an integer");
  return std::optional<std::int64_t>(*value);
}

Result<std::int64_t> RequestContext::RequiredInt(std::string_view name) const {
  MINITOK_ASSIGN_OR_RETURN(const auto value, OptionalInt(name));
  if (!value) return Missing(name);
  return *value;
}

Result<std::int64_t> RequestContext::RequiredId(std::string_view name) const {
  MINITOK_ASSIGN_OR_RETURN(const auto value, RequiredInt(name));
  if (value < 1) return MakeError(Code::kInvalidArgument, std::string(name) + " must be a positive id");
  return value;
}

Result<std::string_view> RequestContext::RequiredString(std::string_view name) const {
  const auto raw = request_.params.Get(name);
  if (!raw) return Missing(name);
  if (raw->empty()) return MakeError(Code::kInvalidArgument, std::string(name) + " must not be empty");
  return *raw;
}

Result<std::optional<std::int64_t>> RequestContext::OptionalTime(std::string_view name) const {
  MINITOK_ASSIGN_OR_RETURN(const auto value, OptionalInt(name));
  if (value && *value < 0) return MakeError(Code::kInvalidArgument, std::string(name) + " must not be negative");
  return value;
}

Result<Page> RequestContext::Paging(std::int64_t cap) const {
  MINITOK_ASSIGN_OR_RETURN(const auto limit, OptionalInt("limit"));
  MINITOK_ASSIGN_OR_RETURN(const auto offset, OptionalInt("offset"));
  Page page{offset.value_or(0), limit.value_or(cap)};
  if (page.limit < 1 || page.limit > cap) {
    return MakeError(Code::kInvalidArgument, "limit must be between 1 and " + std::to_string(cap));
  }
  if (page.offset < 0 || page.offset > kMaxOffset) {
    return MakeError(Code::kInvalidArgument, "offset must be between 0 and " + std::to_string(kMaxOffset));
  }
  return page;
}

std::optional<std::string_view> RequestToken(const http::Request& request, bool include_body) {
  if (const auto authorization = request.Header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization->size() > kBearer.size() && authorization->substr(0, kBearer.size()) == kBearer) {
      return authorization->substr(kBearer.size());
    }
  }
  if (include_body) {
    if (auto from_body = request.params.GetFromBody("token"); from_body && !from_body->empty()) return from_body;
  }
  if (auto from_query = request.params.GetFromQuery("token"); from_query && !from_query->empty()) {
    return from_query;
  }
  return std::nullopt;
}

std::optional<std::string_view> RequestContext::Token() const { return RequestToken(request_); }

Result<std::int64_t> RequestContext::Authenticate() const {
  const auto token = Token();
  if (!token) return MakeError(Code::kUnauthenticated, "please log in first (token is missing)");
  return tokens_.Verify(*token);
}

Result<std::int64_t> RequestContext::Viewer() const {
  const auto token = Token();
  if (!token) return std::int64_t{0};
  return tokens_.Verify(*token);
}

std::int64_t RequestContext::ViewerOrAnonymous() const {
  const auto viewer = Viewer();
  return viewer.ok() ? *viewer : 0;
}

std::int64_t ClientTimeToMs(std::int64_t value, std::int64_t now_ms) {
  if (value <= 0) return now_ms;
  constexpr std::int64_t kSecondsLimit = 100'000'000'000;  // 10^11 s is year 5138; 10^11 ms is 1973
  if (value < kSecondsLimit) return value * 1000;
  return value;
}

}  // namespace minitok::gateway
