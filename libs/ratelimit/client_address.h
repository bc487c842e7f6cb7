#pragma once
// Who a request comes from, for rate limits: the peer address, or behind trusted proxies the
// right-most address of X-Forwarded-For that no trusted proxy wrote. IPv6 clients are keyed by
// their /64, the block one subscriber usually holds, so that one host cannot mint fresh keys.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/result.h"

namespace minitok::ratelimit {

/// An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses are read as IPv4.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  ///< IPv4 uses the first 4

  /// Accepts "1.2.3.4", "2001:db8::1", and the forms with a port ("1.2.3.4:80", "[::1]:80").
  static std::optional<IpAddress> Parse(std::string_view text);
};

/// The networks whose X-Forwarded-For entries are believed (CIDR list; empty by default).
class TrustedProxies {
 public:
  /// Each entry is "ADDRESS/PREFIX" or a bare address.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);

  bool empty() const { return networks_.empty(); }
  bool Contains(const IpAddress& address) const;

 private:
  struct Network {
    IpAddress base;
    int prefix = 0;
  };
  std::vector<Network> networks_;
};

/// The rate-limit key of a request's client. `forwarded_for`: every X-Forwarded-For value in the
/// order received, joined with commas (empty when none).
std::string ClientKey(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& trusted);

}  // namespace minitok::ratelimit
