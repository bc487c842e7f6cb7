#include "app/roles.h"

#include <algorithm>
#include <iterator>


namespace minitok::app {
namespace {

bool IsService(std::string_view name) {
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) != std::end(kServiceNames);
}

std::vector<std::string_view> SplitList(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

bool Roles::Runs(std::string_view service) const {
  return std::find(services.begin(), services.end(), service) != services.end();
}

std::vector<std::string> Roles::Needed() const {
  std::vector<std::string> needed;
  for (const std::string_view name : kServiceNames) {
    const bool called = gateway || Runs(name) ||
                        (name == "video" && (Runs("favorite") || Runs("comment"))) ||
                        (name == "user" && (Runs("relation") || Runs("message")));
    if (called) needed.emplace_back(name);
  }
  return needed;
}

Result<Roles> ParseRoles(std::string_view text) {
  Roles roles;
  if (text == "all") {
    roles.all = roles.gateway = roles.media = true;
    roles.names = {"all"};
    roles.services.assign(std::begin(kServiceNames), std::end(kServiceNames));
    return roles;
  }
  const auto items = SplitList(text);
  for (const std::string_view item : items) {
    if (std::find(roles.names.begin(), roles.names.end(), item) == roles.names.end()) roles.names.emplace_back(item);
    if (item == "gateway") {
      roles.gateway = true;
    } else if (item == "media") {
      roles.media = true;
    } else if (!IsService(item)) {
      return MakeError(Code::kInvalidArgument, "unknown role \"" + std::string(item) +
                                                   "\" in --role (all, gateway, user, video, favorite, comment, "
                                                   "relation, message, media)");
    }
  }
  for (const std::string_view name : kServiceNames) {
    if (std::find(items.begin(), items.end(), name) != items.end()) roles.services.emplace_back(name);
  }
  if (!roles.gateway && !roles.media && roles.services.empty()) {
    return MakeError(Code::kInvalidArgument, "--role names no role");
  }
  return roles;
}

Result<Peers> ParsePeers(std::string_view text) {
  Peers peers;
  for (const std::string_view item : SplitList(text)) {
    const auto eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    const std::string_view address = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (!IsService(name) || address.empty() || address.rfind(':') == std::string_view::npos) {
      return MakeError(Code::kInvalidArgument, "bad --peers entry \"" + std::string(item) +
                                                   "\": expected SERVICE=HOST:PORT with SERVICE one of user, video, "
                                                   "favorite, comment, relation, message");
    }
    peers[std::string(name)].emplace_back(address);
  }
  return peers;
}

}  // namespace minitok::app
