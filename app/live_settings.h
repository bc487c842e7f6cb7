#pragma once
// The settings of a running process that may change while it serves (config::kLiveKeys): the
// config file's, overlaid by the values etcd holds for the process's roles. Whoever applies one
// follows it; a value that does not parse or validate is logged and left out, never half applied.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "libs/config/server_config.h"
#include "libs/log/logger.h"

namespace minitok::app {

class LiveSettings {
 public:
  LiveSettings(config::ServerConfig file, log::Logger& logger);
  LiveSettings(const LiveSettings&) = delete;
  LiveSettings& operator=(const LiveSettings&) = delete;

  /// The values of the process's roles (JSON objects, later ones win), replacing the previous ones.
  void Update(const std::vector<std::string>& values);

  class Following {
   public:
    Following(LiveSettings& settings, int id) : settings_(&settings), id_(id) {}
    ~Following();
    Following(const Following&) = delete;
    Following& operator=(const Following&) = delete;

   private:
    LiveSettings* settings_;
    int id_;
  };
  /// `apply` gets the settings now and after every change, until the returned object goes (it is
  /// never called after that). Calls are serialized.
  [[nodiscard]] Following Follow(std::function<void(const config::ServerConfig&)> apply);

 private:
  const config::ServerConfig file_;
  log::Logger& logger_;
  std::mutex mutex_;
  config::ServerConfig current_;
  std::map<int, std::function<void(const config::ServerConfig&)>> followers_;
  int next_id_ = 0;
};

}  // namespace minitok::app
