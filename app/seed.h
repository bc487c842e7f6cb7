#pragma once
// `minitok seed` and `minitok verify`: benchmark data folders, and the audit that proves every
// counter equals a count of the rows it stands for.

#include <cstdint>
#include <string>

#include "libs/config/server_config.h"

namespace minitok::app {

struct SeedOptions {
  std::int64_t users = 10000;
  std::int64_t videos = 10000;
  std::int64_t likes = 100000;
  std::int64_t comments = 50000;
  std::int64_t follows = 50000;
  std::int64_t messages = 20000;
  /// Tokens written to tokens_out, for users 1..tokens.
  std::int64_t tokens = 1000;
  std::string tokens_out;
};

/// Fills an empty data folder: users "seed<id>" with the password "seed-password", videos that
/// share one media file, likes, comments, follows and messages skewed towards low ids (popular
/// videos and users), then recounts every counter and audits it. Returns the exit code.
int Seed(const config::ServerConfig& config, const SeedOptions& options);

/// Audits every counter of a data folder against its rows; exit code 0 when all are exact.
int Verify(const config::ServerConfig& config);

}  // namespace minitok::app
