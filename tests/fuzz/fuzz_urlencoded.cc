// Query strings and urlencoded bodies, and the parameters read back from them.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libs/http/form.h"
#include "libs/http/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  minitok::http::Params params;
  const bool into_body = size > 0 && (data[0] & 1) != 0;
  if (minitok::http::ParseUrlEncoded(text, params, into_body)) {
    // Whatever was parsed can be read back, and no value is longer than the whole input.
    for (const std::string_view name : {"token", "user_id", "video_id", "title", "content", "a"}) {
      if (const auto value = params.Get(name); value && value->size() > size) std::abort();
    }
  }
  (void)minitok::http::MultipartBoundary(text);
  return 0;
}
