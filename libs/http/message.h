#pragma once
// Plain HTTP request and response values: what handlers see. No Beast types here, so that
// handlers and tests never compile the networking headers.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minitok::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch, kOther };

std::string_view MethodName(Method method);

/// A temporary file that is deleted when the last owner lets go, unless Release()d after the
/// file was renamed into place.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  void Release() { released_ = true; }

 private:
  std::string path_;
  bool released_ = false;
};

struct UploadedFile {
  std::string field_name;
  std::string file_name;  ///< as the client sent it; never used as a path
  std::string content_type;
  std::uint64_t size = 0;
  std::shared_ptr<TempFile> file;
};

/// Name/value pairs from the query string and the body (urlencoded or multipart). Body values
/// win over query values with the same name.
class Params {
 public:
  void AddQuery(std::string name, std::string value) { query_.emplace_back(std::move(name), std::move(value)); }
  void AddBody(std::string name, std::string value) { body_.emplace_back(std::move(name), std::move(value)); }
  std::optional<std::string_view> Get(std::string_view name) const;
  std::optional<std::string_view> GetFromQuery(std::string_view name) const;
  std::optional<std::string_view> GetFromBody(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> query_;
  std::vector<std::pair<std::string, std::string>> body_;
};

struct Request {
  Method method = Method::kGet;
  std::string target;  ///< raw request target (path + query); never logged, it may hold a token
  std::string path;    ///< decoded path without the query
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;
  Params params;
  std::optional<UploadedFile> upload;
  std::string request_id;
  /// When the answer is due: the server's request deadline after the request was read in full.
  /// Time queued for a worker counts against it, and service calls made for the request carry it.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string remote_address;
  /// The server's own end of the connection as a URL authority ("127.0.0.1:8080", "[::1]:8080"):
  /// where this client reached us, for absolute URLs when the request names no usable Host.
  std::string local_authority;

  /// First header named `name` (lower case), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

/// A byte range of an open file to send as the body.
struct FileBody {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  ~FileBody();
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// When set, the body is streamed from this file instead of `body`.
  std::shared_ptr<FileBody> file;
  /// Length announced for a HEAD response (no body is sent).
  std::optional<std::uint64_t> head_length;
  /// The API-level status_code, for the access log (0 = ok).
  int api_status = 0;
  bool close_connection = false;

  static Response Text(int status, std::string text);
};

}  // namespace minitok::http
