#include "app/cli.h"

#include <map>
#include <optional>

namespace minitok::app {
namespace {

constexpr const char* kMainHelp = R"(minitok: a short-video platform backend speaking the minimal Douyin HTTP API.

Usage:
  minitok serve [options]   run the server (all services in one process)
  minitok version           print the version
  minitok help              this text

Run `minitok serve --help` for the server's options.
)";

constexpr const char* kServeHelp = R"(Usage: minitok serve [options]

Options:
  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; 0.0.0.0:8080 for the LAN,
                        port 0 picks a free port)
  --data-dir DIR        folder for databases, media and the token secret (default ./data)
  --public-url URL      base of absolute media URLs (default: http://<Host header>)
  --config FILE         JSON config file (keys in the README); flags override it
  --no-demo             do not fill a new data folder with demo users and videos
  --help                this text

Stops cleanly on SIGINT or SIGTERM.
)";

}  // namespace

Result<Invocation> ParseCommandLine(const std::vector<std::string>& args) {
  Invocation invocation;
  if (args.size() < 2 || args[1] == "help" || args[1] == "--help" || args[1] == "-h") {
    invocation.help_text = kMainHelp;
    return invocation;
  }
  if (args[1] == "version" || args[1] == "--version") {
    invocation.command = Command::kVersion;
    return invocation;
  }
  if (args[1] != "serve") {
    return MakeError(Code::kInvalidArgument, "unknown command \"" + args[1] + "\"; try `minitok help`");
  }
  std::map<std::string, std::string> values;
  bool no_demo = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      invocation.help_text = kServeHelp;
      return invocation;
    }
    if (arg == "--no-demo") {
      no_demo = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (name != "--listen" && name != "--data-dir" && name != "--public-url" && name != "--config") {
      return MakeError(Code::kInvalidArgument, "unknown option \"" + arg + "\"; try `minitok serve --help`");
    }
    if (!value) {
      if (i + 1 >= args.size()) return MakeError(Code::kInvalidArgument, name + " needs a value");
      value = args[++i];
    }
    values[name] = *value;
  }
  invocation.command = Command::kServe;
  auto& config = invocation.config;
  if (const auto file = values.find("--config"); file != values.end()) {
    MINITOK_RETURN_IF_ERROR(config::MergeJsonFile(file->second, config));
  }
  if (const auto v = values.find("--listen"); v != values.end()) config.listen = v->second;
  if (const auto v = values.find("--data-dir"); v != values.end()) config.data_dir = v->second;
  if (const auto v = values.find("--public-url"); v != values.end()) config.public_url = v->second;
  if (no_demo) config.demo_content = false;
  MINITOK_RETURN_IF_ERROR(config::Validate(config));
  return invocation;
}

}  // namespace minitok::app
