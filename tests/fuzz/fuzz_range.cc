// The Range header of media requests, against files of any size.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/http/file_response.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto file_size = input.ConsumeIntegral<std::uint64_t>();
  const std::string header = input.ConsumeRemainingBytesAsString();
  minitok::http::ByteRange range;
  const auto outcome = minitok::http::ResolveRange(header, file_size, range);
  if (outcome == minitok::http::RangeOutcome::kPartial) {
    // A partial answer is a non-empty range inside the file.
    if (range.length == 0 || range.first >= file_size || range.length > file_size - range.first) std::abort();
  }
  return 0;
}
