#pragma once
// Command-line parsing for the `minitok` binary.

#include <string>
#include <vector>

#include "app/seed.h"
#include "libs/config/server_config.h"
#include "libs/core/result.h"

namespace minitok::app {

enum class Command { kServe, kSeed, kVerify, kHelp, kVersion };

struct Invocation {
  Command command = Command::kHelp;
  config::ServerConfig config;
  SeedOptions seed;  ///< for kSeed
  std::string help_text;  ///< for kHelp
};

/// Parses argv: defaults, then --config FILE, then the other flags (flags win over the file).
Result<Invocation> ParseCommandLine(const std::vector<std::string>& args);

}  // namespace minitok::app
