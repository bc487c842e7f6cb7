// The multipart/form-data push parser and the collector behind every upload, fed arbitrary
// bodies in arbitrary chunk sizes: no crash, no leak, no file left behind, limits held.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "libs/http/form.h"
#include "libs/http/message.h"

namespace {

/// The folder uploads are streamed into, removed when the fuzzer exits.
class ScratchFolder {
 public:
  ScratchFolder() {
    char pattern[] = "/tmp/minitok-fuzz-multipart-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string& UploadDir() {
  static const ScratchFolder folder;
  return folder.path();
}

constexpr std::uint64_t kMaxFieldBytes = 256;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const std::string content_type = input.ConsumeRandomLengthString(80);
  const bool to_disk = input.ConsumeBool();
  const auto boundary = minitok::http::MultipartBoundary(content_type);
  if (!boundary) return 0;
  {
    minitok::http::Params params;
    minitok::http::FormCollector collector(params, to_disk ? UploadDir() : std::string(), kMaxFieldBytes);
    minitok::http::MultipartParser parser(*boundary, collector);
    bool ok = true;
    while (ok && input.remaining_bytes() > 0) {
      const auto chunk = input.ConsumeIntegralInRange<std::size_t>(1, 512);
      ok = parser.Feed(input.ConsumeBytesAsString(chunk));
    }
    if (ok && parser.Finish()) {
      const auto upload = collector.TakeUpload();
      if (upload && (!to_disk || upload->file == nullptr)) std::abort();  // files only where asked for
    }
  }
  // Every temporary file went away with its collector.
  if (to_disk && !std::filesystem::is_empty(UploadDir())) std::abort();
  return 0;
}
