#pragma once
// Request parameter decoding: query strings, urlencoded bodies and streaming multipart bodies.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "libs/http/message.h"

namespace minitok::http {

/// Percent-decodes `text` ('+' as space when `plus_is_space`); nullopt on a broken escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

/// Parses "a=1&b=2" into `params` (as query or body values); false on a broken escape.
bool ParseUrlEncoded(std::string_view text, Params& params, bool into_body);

/// The boundary of a "multipart/form-data; boundary=..." content type.
std::optional<std::string> MultipartBoundary(std::string_view content_type);

struct PartHeaders {
  std::string name;
  std::optional<std::string> file_name;
  std::string content_type;
};

/// Receives the parts of a multipart body as they arrive. Returning false aborts the parse.
class MultipartSink {
 public:
  virtual ~MultipartSink() = default;
  virtual bool OnPartBegin(const PartHeaders& headers) = 0;
  virtual bool OnPartData(std::string_view bytes) = 0;
  virtual bool OnPartEnd() = 0;
};

/// A push parser for multipart/form-data (RFC 7578): feed it the body in chunks of any size;
/// memory use stays bounded by the boundary and header sizes, whatever the part sizes.
class MultipartParser {
 public:
  MultipartParser(std::string boundary, MultipartSink& sink);
  /// False on malformed input or when the sink refused; see error().
  bool Feed(std::string_view bytes);
  /// True when the closing boundary was seen.
  bool Finish();
  const std::string& error() const { return error_; }

 private:
  enum class State { kBody, kAfterDelimiter, kHeaders, kEpilogue, kFailed };
  bool Fail(std::string message);
  bool ParseHeaders(std::string_view block);

  std::string delimiter_;  ///< "\r\n--" + boundary
  MultipartSink& sink_;
  State state_ = State::kBody;
  bool in_part_ = false;  ///< false while in the preamble
  std::string buffer_;
  std::size_t parts_ = 0;
  std::string error_;
};

/// A sink that puts fields into `params` and, when `upload_dir` is set, streams the first file
/// part into a temporary file there (other file parts are refused).
class FormCollector final : public MultipartSink {
 public:
  FormCollector(Params& params, std::string upload_dir, std::uint64_t max_field_bytes);
  bool OnPartBegin(const PartHeaders& headers) override;
  bool OnPartData(std::string_view bytes) override;
  bool OnPartEnd() override;

  std::optional<UploadedFile> TakeUpload();
  const std::string& error() const { return error_; }

 private:
  Params& params_;
  std::string upload_dir_;
  std::uint64_t max_field_bytes_;
  PartHeaders current_;
  std::string field_value_;
  bool writing_file_ = false;
  int fd_ = -1;
  std::optional<UploadedFile> upload_;
  std::string error_;

 public:
  ~FormCollector() override;
};

}  // namespace minitok::http
