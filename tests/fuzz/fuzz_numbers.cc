// Integer parameters: decimal and the exact exponent form.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libs/core/numbers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto value = minitok::ParseExactInteger(text);
  if (value) {
    // What was accepted means one integer: its decimal form reads back as the same value.
    const auto again = minitok::ParseExactInteger(std::to_string(*value));
    if (!again || *again != *value) std::abort();
  }
  return 0;
}
