#include "libs/http/form.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace minitok::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// Reads `key=value` or `key="quoted"` pairs after the first ';' of a header value.
std::optional<std::string> HeaderParameter(std::string_view header, std::string_view wanted) {
  std::size_t pos = header.find(';');
  while (pos != std::string_view::npos && pos < header.size()) {
    ++pos;
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
    const std::size_t eq = header.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key = ToLower(Trim(header.substr(pos, eq - pos)));
    std::size_t cursor = eq + 1;
    std::string value;
    if (cursor < header.size() && header[cursor] == '"') {
      ++cursor;
      while (cursor < header.size() && header[cursor] != '"') {
        if (header[cursor] == '\\' && cursor + 1 < header.size()) ++cursor;
        value.push_back(header[cursor++]);
      }
      ++cursor;  // closing quote
      pos = header.find(';', cursor);
    } else {
      const std::size_t end = header.find(';', cursor);
      value = std::string(Trim(header.substr(cursor, end == std::string_view::npos ? end : end - cursor)));
      pos = end;
    }
    if (key == wanted) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool ParseUrlEncoded(std::string_view text, Params& params, bool into_body) {
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return false;
    if (into_body) {
      params.AddBody(std::move(*name), std::move(*value));
    } else {
      params.AddQuery(std::move(*name), std::move(*value));
    }
  }
  return true;
}

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (ToLower(Trim(content_type.substr(0, semicolon))) != "multipart/form-data") return std::nullopt;
  auto boundary = HeaderParameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) return std::nullopt;
  return boundary;
}

MultipartParser::MultipartParser(std::string boundary, MultipartSink& sink)
    : delimiter_("\r\n--" + boundary), sink_(sink) {
  // The first boundary has no CRLF before it; pretend it had, so one delimiter rule serves.
  buffer_ = "\r\n";
}

bool MultipartParser::Fail(std::string message) {
  state_ = State::kFailed;
  error_ = std::move(message);
  return false;
}

bool MultipartParser::ParseHeaders(std::string_view block) {
  PartHeaders headers;
  bool has_disposition = false;
  while (!block.empty()) {
    const std::size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail("malformed part header");
    const std::string name = ToLower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (ToLower(value.substr(0, value.find(';'))) != "form-data") return Fail("part is not form-data");
      auto field = HeaderParameter(value, "name");
      if (!field) return Fail("part without a name");
      headers.name = std::move(*field);
      headers.file_name = HeaderParameter(value, "filename");
      has_disposition = true;
    } else if (name == "content-type") {
      headers.content_type = std::string(value);
    }
  }
  if (!has_disposition) return Fail("part without Content-Disposition");
  if (++parts_ > 64) return Fail("too many parts");
  in_part_ = true;
  if (!sink_.OnPartBegin(headers)) return Fail("part refused");
  return true;
}

bool MultipartParser::Feed(std::string_view bytes) {
  if (state_ == State::kFailed) return false;
  if (state_ == State::kEpilogue) return true;  // anything after the close is ignored
  buffer_.append(bytes);
  for (;;) {
    switch (state_) {
      case State::kBody: {
        const std::size_t found = buffer_.find(delimiter_);
        if (found == std::string::npos) {
          // Keep a tail that could be the start of a delimiter; pass the rest on.
          const std::size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
          const std::size_t emit = buffer_.size() - keep;
          if (emit > 0) {
            if (in_part_ && !sink_.OnPartData(std::string_view(buffer_).substr(0, emit))) {
              return Fail("part refused");
            }
            buffer_.erase(0, emit);
          }
          return true;
        }
        if (in_part_) {
          if (found > 0 && !sink_.OnPartData(std::string_view(buffer_).substr(0, found))) {
            return Fail("part refused");
          }
          if (!sink_.OnPartEnd()) return Fail("part refused");
          in_part_ = false;
        }
        buffer_.erase(0, found + delimiter_.size());
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kAfterDelimiter: {
        if (buffer_.size() < 2) return true;
        if (buffer_.compare(0, 2, "--") == 0) {
          state_ = State::kEpilogue;
          buffer_.clear();
          return true;
        }
        // Transport padding (spaces/tabs) may follow a delimiter before its CRLF.
        const std::size_t eol = buffer_.find("\r\n");
        if (eol == std::string::npos) {
          if (buffer_.size() > 256) return Fail("malformed boundary line");
          return true;
        }
        if (buffer_.find_first_not_of(" \t") < eol) return Fail("malformed boundary line");
        buffer_.erase(0, eol + 2);
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        const std::size_t end = buffer_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (buffer_.size() > 16 * 1024) return Fail("part headers too large");
          return true;
        }
        if (!ParseHeaders(std::string_view(buffer_).substr(0, end))) return false;
        // The part body starts right after the blank line; its end is "\r\n--boundary", so the
        // CRLF that starts a delimiter must stay in the buffer.
        buffer_.erase(0, end + 4);
        state_ = State::kBody;
        break;
      }
      case State::kEpilogue:
        return true;
      case State::kFailed:
        return false;
    }
  }
}

bool MultipartParser::Finish() {
  if (state_ == State::kEpilogue) return true;
  if (state_ != State::kFailed) Fail("multipart body ended before its closing boundary");
  return false;
}

FormCollector::FormCollector(Params& params, std::string upload_dir, std::uint64_t max_field_bytes)
    : params_(params), upload_dir_(std::move(upload_dir)), max_field_bytes_(max_field_bytes) {}

FormCollector::~FormCollector() {
  if (fd_ >= 0) close(fd_);
}

bool FormCollector::OnPartBegin(const PartHeaders& headers) {
  current_ = headers;
  field_value_.clear();
  writing_file_ = headers.file_name.has_value();
  if (!writing_file_) return true;
  if (upload_dir_.empty()) {
    error_ = "file uploads are not accepted here";
    return false;
  }
  if (upload_) {
    error_ = "only one file may be uploaded at a time";
    return false;
  }
  std::string path_template = upload_dir_ + "/upload-XXXXXX";
  fd_ = mkostemp(path_template.data(), O_CLOEXEC);
  if (fd_ < 0) {
    error_ = "cannot store the upload";
    return false;
  }
  upload_ = UploadedFile{headers.name, *headers.file_name, headers.content_type, 0,
                         std::make_shared<TempFile>(path_template)};
  return true;
}

bool FormCollector::OnPartData(std::string_view bytes) {
  if (!writing_file_) {
    if (field_value_.size() + bytes.size() > max_field_bytes_) {
      error_ = "form field \"" + current_.name + "\" is too long";
      return false;
    }
    field_value_.append(bytes);
    return true;
  }
  // Writes land in the page cache; fsync happens once, in the handler, off the event loop.
  while (!bytes.empty()) {
    const ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno == ENOSPC ? "the server's disk is full" : "cannot store the upload";
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    upload_->size += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool FormCollector::OnPartEnd() {
  if (writing_file_) {
    if (close(fd_) != 0) {
      fd_ = -1;
      error_ = "cannot store the upload";
      return false;
    }
    fd_ = -1;
    writing_file_ = false;
    return true;
  }
  params_.AddBody(std::move(current_.name), std::move(field_value_));
  field_value_ = {};
  return true;
}

std::optional<UploadedFile> FormCollector::TakeUpload() {
  if (fd_ >= 0) return std::nullopt;  // the file part never finished
  return std::exchange(upload_, std::nullopt);
}

}  // namespace minitok::http
