#include "app/process.h"

#include <cstdlib>
#include <iostream>

namespace minitok::app {

Result<std::pair<std::string, std::uint16_t>> SplitListen(const std::string& listen, std::string_view flag) {
  const std::string option(flag);
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(Code::kInvalidArgument, option + " must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return MakeError(Code::kInvalidArgument, "bad port in " + option + " " + listen);
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

int FailToStart(log::Logger& logger, const Error& error) {
  logger.Error(error.message + (error.detail.empty() ? "" : " (" + error.detail + ")"));
  logger.Flush();
  std::cerr << "minitok: " << error.message << std::endl;
  return 1;
}

}  // namespace minitok::app
