#pragma once
// `minitok serve`: the composition root of every shape. Builds the services this process runs
// (--role), each on its own SQLite file, clients of the others' remote instances (--peers), serves
// its services over gRPC when the process is one part of a split, runs the Douyin HTTP gateway when
// it has that role, runs until a signal, and tears down in reverse order.

#include "libs/config/server_config.h"

namespace minitok::app {

/// Returns the process exit code.
int Serve(const config::ServerConfig& config);

}  // namespace minitok::app
