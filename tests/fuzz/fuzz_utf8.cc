// UTF-8 validation and the text rules of names, titles, comments and messages.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libs/core/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto count = minitok::CountUtf8CodePoints(text);
  if (count && *count > size) std::abort();
  (void)minitok::HasControlCharacters(text, true);
  (void)minitok::HasControlCharacters(text, false);
  const auto trimmed = minitok::TrimAsciiWhitespace(text);
  if (trimmed.size() > size) std::abort();
  for (const bool newlines : {false, true}) {
    const auto valid = minitok::ValidateText(text, {.what = "text", .max_characters = 32, .allow_newlines = newlines});
    // Accepted text is valid UTF-8 within the limit.
    if (valid.ok() && (!count || *count > 32)) std::abort();
  }
  return 0;
}
