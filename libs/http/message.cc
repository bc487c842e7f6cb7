#include "libs/http/message.h"

#include <unistd.h>

#include <cstdio>

namespace minitok::http {

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kPatch: return "PATCH";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

TempFile::~TempFile() {
  if (!released_) std::remove(path_.c_str());
}

FileBody::~FileBody() {
  if (fd >= 0) close(fd);
}

namespace {
std::optional<std::string_view> Find(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Params::Get(std::string_view name) const {
  if (auto from_body = Find(body_, name)) return from_body;
  return Find(query_, name);
}

std::optional<std::string_view> Params::GetFromQuery(std::string_view name) const { return Find(query_, name); }

std::optional<std::string_view> Params::GetFromBody(std::string_view name) const { return Find(body_, name); }

std::optional<std::string_view> Request::Header(std::string_view name) const { return Find(headers, name); }

Response Response::Text(int status, std::string text) {
  Response response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(text);
  return response;
}

}  // namespace minitok::http
