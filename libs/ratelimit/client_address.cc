#include "libs/ratelimit/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "libs/core/text.h"

namespace minitok::ratelimit {
namespace {

bool PrefixMatches(const IpAddress& address, const IpAddress& base, int prefix) {
  if (address.v6 != base.v6) return false;
  const int full_bytes = prefix / 8;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), static_cast<std::size_t>(full_bytes)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (address.bytes[static_cast<std::size_t>(full_bytes)] & mask) ==
         (base.bytes[static_cast<std::size_t>(full_bytes)] & mask);
}

std::string KeyOf(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (!address.v6) {
    inet_ntop(AF_INET, address.bytes.data(), text, sizeof text);
    return text;
  }
  std::array<std::uint8_t, 16> block{};
  std::memcpy(block.data(), address.bytes.data(), 8);
  inet_ntop(AF_INET6, block.data(), text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  text = TrimAsciiWhitespace(text);
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);  // "1.2.3.4:80"
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress address;
  if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(address.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::memset(address.bytes.data() + 4, 0, 12);
    return address;
  }
  address.v6 = true;
  return address;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies proxies;
  for (const std::string& cidr : cidrs) {
    const auto bad = [&] {
      return MakeError(Code::kInvalidArgument,
                       "trusted_proxies entry \"" + cidr + "\" is not an address or network such as 10.0.0.0/8");
    };
    const auto slash = cidr.find('/');
    const std::string_view address_text = std::string_view(cidr).substr(0, slash);
    // Ports and brackets belong to X-Forwarded-For entries, not to networks.
    const auto colons = std::count(address_text.begin(), address_text.end(), ':');
    if (address_text.find('[') != std::string_view::npos || colons == 1) return bad();
    auto base = IpAddress::Parse(address_text);
    if (!base) return bad();
    const int max_prefix = base->v6 ? 128 : 32;
    int prefix = max_prefix;
    if (slash != std::string::npos) {
      const std::string_view prefix_text = std::string_view(cidr).substr(slash + 1);
      if (prefix_text.empty() || prefix_text.size() > 3) return bad();
      prefix = 0;
      for (const char c : prefix_text) {
        if (c < '0' || c > '9') return bad();
        prefix = prefix * 10 + (c - '0');
      }
      if (prefix > max_prefix) return bad();
    }
    proxies.networks_.push_back({*base, prefix});
  }
  return proxies;
}

bool TrustedProxies::Contains(const IpAddress& address) const {
  for (const Network& network : networks_) {
    if (PrefixMatches(address, network.base, network.prefix)) return true;
  }
  return false;
}

std::string ClientKey(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& trusted) {
  auto client = IpAddress::Parse(peer);
  if (!client) return std::string(peer);
  if (trusted.empty() || !trusted.Contains(*client)) return KeyOf(*client);
  // Walk back from the proxy next to us; the first hop no trusted proxy wrote is the client.
  // An entry that does not parse ends the walk at the last hop we believe.
  std::string_view rest = forwarded_for;
  while (!TrimAsciiWhitespace(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const auto hop = IpAddress::Parse(entry);
    if (!hop) break;
    client = hop;
    if (!trusted.Contains(*client)) break;
  }
  return KeyOf(*client);
}

}  // namespace minitok::ratelimit
