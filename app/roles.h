#pragma once
// What one `minitok serve` process runs (--role) and where the services it does not run are
// (--peers).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/result.h"

namespace minitok::app {

/// The services, in the order they are built (each depends only on those before it).
inline constexpr std::string_view kServiceNames[] = {"user", "video", "favorite", "comment", "relation", "message"};

struct Roles {
  bool gateway = false;
  bool media = false;                 ///< transcode workers (of the video service here or remote)
  std::vector<std::string> services;  ///< in kServiceNames order
  bool all = false;                   ///< the embedded shape: everything in this process
  std::vector<std::string> names;     ///< the roles as given ("all", or "gateway", "media", services)

  bool Runs(std::string_view service) const;
  /// The services this process runs or calls: the gateway calls all of them, favorite and
  /// comment call video, relation and message call user.
  std::vector<std::string> Needed() const;
};

/// "all", or a comma-separated list of gateway, media and the service names.
Result<Roles> ParseRoles(std::string_view text);

/// "user=HOST:PORT,video=HOST:PORT,..." (a name may repeat): addresses by service.
using Peers = std::map<std::string, std::vector<std::string>, std::less<>>;
Result<Peers> ParsePeers(std::string_view text);

}  // namespace minitok::app
