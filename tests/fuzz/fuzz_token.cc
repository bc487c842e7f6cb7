// Token decoding: arbitrary strings are never accepted, and a real token with any change is not either.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "libs/core/clock.h"
#include "libs/security/token_codec.h"

namespace {

const minitok::security::TokenCodec& Codec() {
  static const minitok::ManualClock clock(1'700'000'000'000);
  static const minitok::security::TokenCodec codec(std::string(48, 'k'), 3600, clock);
  return codec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto user = input.ConsumeIntegralInRange<std::int64_t>(1, INT64_MAX);
  const std::string issued = Codec().Issue(user);
  const auto verified = Codec().Verify(issued);
  if (!verified.ok() || *verified != user) std::abort();
  std::string token = input.ConsumeRandomLengthString(4096);
  if (input.ConsumeBool() && !issued.empty()) {
    // A real token, changed in one byte.
    const auto at = input.ConsumeIntegralInRange<std::size_t>(0, issued.size() - 1);
    token = issued;
    token[at] = static_cast<char>(token[at] ^ input.ConsumeIntegralInRange<int>(1, 255));
  }
  if (token == issued) return 0;
  const auto forged = Codec().Verify(token);
  // Base64url padding bits aside, a changed token never verifies as someone else.
  if (forged.ok() && *forged != user) std::abort();
  return 0;
}
