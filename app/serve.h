#pragma once
// `minitok serve`: the composition root of the embedded shape. Builds every service on its own
// SQLite file, the Douyin gateway and the HTTP server, runs until a signal, and tears down in
// reverse order.

#include "libs/config/server_config.h"

namespace minitok::app {

/// Returns the process exit code.
int Serve(const config::ServerConfig& config);

}  // namespace minitok::app
