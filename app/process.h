#pragma once
// What every role of `minitok serve` does at its edges: reading its listening addresses and
// reporting a start that failed.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "libs/core/result.h"
#include "libs/log/logger.h"

namespace minitok::app {

/// "HOST:PORT" ("[::1]:PORT" for IPv6; port 0 = any free port) as host and port; `flag` names
/// the option in the error.
Result<std::pair<std::string, std::uint16_t>> SplitListen(const std::string& listen, std::string_view flag);

/// Logs `error` (with its detail) and tells the operator on stderr; returns the exit code 1.
int FailToStart(log::Logger& logger, const Error& error);

}  // namespace minitok::app
