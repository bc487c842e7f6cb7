#include "app/cli.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "libs/core/numbers.h"

namespace minitok::app {
namespace {

constexpr const char* kMainHelp = R"(minitok: a short-video platform backend speaking the minimal Douyin HTTP API.

Usage:
  minitok serve [options]   run the server (all services in one process)
  minitok seed [options]    fill an empty data folder with benchmark data
  minitok verify [options]  check every counter of a data folder against its rows
  minitok version           print the version
  minitok help              this text

Run `minitok <command> --help` for a command's options.
)";

constexpr const char* kSeedHelp = R"(Usage: minitok seed [--data-dir DIR] [options]

Fills an EMPTY data folder with benchmark data: users seed1..seedN (password "seed-password"),
ready videos sharing one media file, likes, comments, follows and messages, skewed towards low
ids (popular videos and users). Ends by recounting every counter and auditing it.

Options:
  --data-dir DIR        the folder to fill (default ./data)
  --users N             (default 10000)
  --videos N            (default 10000)
  --likes N             (default 100000)
  --comments N          (default 50000)
  --follows N           (default 50000)
  --messages N          (default 20000)
  --tokens-out FILE     write "user_id<TAB>token" lines for users 1..T
  --tokens T            how many tokens to write (default 1000)
  --config FILE         JSON config (token lifetime, password cost, ...)
  --help                this text
)";

constexpr const char* kVerifyHelp = R"(Usage: minitok verify [--data-dir DIR] [--config FILE]

Recounts every counter (work_count, favorite_count, total_favorited, comment_count,
follow_count, follower_count) from the rows and compares. Exit code 0 when all are exact.
Run it on a stopped server's data folder (one in use is refused); it changes nothing.

Options:
  --data-dir DIR        the folder to check (default ./data)
  --config FILE         JSON config
  --help                this text
)";

constexpr const char* kServeHelp = R"(Usage: minitok serve [options]

Options:
  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; 0.0.0.0:8080 for the LAN,
                        port 0 picks a free port)
  --data-dir DIR        folder for databases, media and the token secret (default ./data)
  --public-url URL      base of absolute media URLs (default: http://<Host header>)
  --config FILE         JSON config file (keys in the README); flags override it
  --redis URL           redis://HOST:PORT or unix:///path: rate limits shared by every gateway
                        that uses the same Redis (default: each gateway limits on its own)
  --no-demo             do not fill a new data folder with demo users and videos
  --role ROLE[,ROLE...] what this process runs (default all: every service and the HTTP gateway);
                        one or more of gateway, user, video, favorite, comment, relation, message,
                        media (the media workers run with the video role). Roles in this process
                        call each other directly, the others over gRPC
  --grpc-listen HOST:PORT
                        where service roles serve gRPC (default 127.0.0.1:0, a free port)
  --peers NAME=HOST:PORT[,NAME=HOST:PORT...]
                        where the services this process calls but does not run are (repeat a
                        name for several instances)
  --etcd http://HOST:PORT[,...]
                        etcd of the cluster: service roles register there, and every process
                        finds there the services it calls that --peers does not name
  --cluster NAME        key prefix in etcd of this cluster's processes (default minitok)
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
  static const std::map<std::string, Command, std::less<>> kCommands = {
      {"serve", Command::kServe}, {"seed", Command::kSeed}, {"verify", Command::kVerify}};
  const auto command = kCommands.find(args[1]);
  if (command == kCommands.end()) {
    return MakeError(Code::kInvalidArgument, "unknown command \"" + args[1] + "\"; try `minitok help`");
  }
  static const std::map<Command, std::vector<std::string>> kOptions = {
      {Command::kServe, {"--listen", "--data-dir", "--public-url", "--config", "--redis", "--role", "--grpc-listen",
                         "--peers", "--etcd", "--cluster"}},
      {Command::kSeed, {"--data-dir", "--config", "--users", "--videos", "--likes", "--comments", "--follows",
                        "--messages", "--tokens", "--tokens-out"}},
      {Command::kVerify, {"--data-dir", "--config"}}};
  static const std::map<Command, const char*> kHelps = {
      {Command::kServe, kServeHelp}, {Command::kSeed, kSeedHelp}, {Command::kVerify, kVerifyHelp}};
  const auto& allowed = kOptions.at(command->second);
  std::map<std::string, std::string> values;
  bool no_demo = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      invocation.help_text = kHelps.at(command->second);
      return invocation;
    }
    if (arg == "--no-demo" && command->second == Command::kServe) {
      no_demo = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return MakeError(Code::kInvalidArgument,
                       "unknown option \"" + arg + "\"; try `minitok " + args[1] + " --help`");
    }
    if (!value) {
      if (i + 1 >= args.size()) return MakeError(Code::kInvalidArgument, name + " needs a value");
      value = args[++i];
    }
    values[name] = *value;
  }
  invocation.command = command->second;
  auto& config = invocation.config;
  if (const auto file = values.find("--config"); file != values.end()) {
    MINITOK_RETURN_IF_ERROR(config::MergeJsonFile(file->second, config));
  }
  if (const auto v = values.find("--listen"); v != values.end()) config.listen = v->second;
  if (const auto v = values.find("--data-dir"); v != values.end()) config.data_dir = v->second;
  if (const auto v = values.find("--public-url"); v != values.end()) config.public_url = v->second;
  if (const auto v = values.find("--redis"); v != values.end()) config.redis = v->second;
  if (const auto v = values.find("--role"); v != values.end()) config.role = v->second;
  if (const auto v = values.find("--grpc-listen"); v != values.end()) config.grpc_listen = v->second;
  if (const auto v = values.find("--peers"); v != values.end()) config.peers = v->second;
  if (const auto v = values.find("--etcd"); v != values.end()) config.etcd = v->second;
  if (const auto v = values.find("--cluster"); v != values.end()) config.cluster = v->second;
  if (no_demo) config.demo_content = false;
  auto& seed = invocation.seed;
  const std::pair<const char*, std::int64_t*> counts[] = {
      {"--users", &seed.users},       {"--videos", &seed.videos},     {"--likes", &seed.likes},
      {"--comments", &seed.comments}, {"--follows", &seed.follows},   {"--messages", &seed.messages},
      {"--tokens", &seed.tokens}};
  for (const auto& [name, field] : counts) {
    const auto v = values.find(name);
    if (v == values.end()) continue;
    const auto parsed = ParseExactInteger(v->second);
    if (!parsed || *parsed < 0) return MakeError(Code::kInvalidArgument, std::string(name) + " needs a count");
    *field = *parsed;
  }
  if (const auto v = values.find("--tokens-out"); v != values.end()) seed.tokens_out = v->second;
  MINITOK_RETURN_IF_ERROR(config::Validate(config));
  return invocation;
}

}  // namespace minitok::app
