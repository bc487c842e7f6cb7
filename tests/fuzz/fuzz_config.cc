// The JSON config file: any text is merged or refused with a message, then validated.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libs/config/server_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  minitok::config::ServerConfig config;
  const auto merged = minitok::config::MergeJsonText(text, config);
  if (!merged.ok() && merged.error().message.empty()) std::abort();  // a refusal says why
  const auto valid = minitok::config::Validate(config);
  if (!valid.ok() && valid.error().message.empty()) std::abort();
  return 0;
}
