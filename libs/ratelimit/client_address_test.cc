#include "libs/ratelimit/client_address.h"

#include <gtest/gtest.h>

namespace minitok::ratelimit {
namespace {

TrustedProxies Trust(std::vector<std::string> cidrs) {
  auto parsed = TrustedProxies::Parse(cidrs);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? *parsed : TrustedProxies{};
}

TEST(ClientAddress, WithoutTrustedProxiesThePeerIsTheClientAndForwardedForIsIgnored) {
  EXPECT_EQ(ClientKey("203.0.113.7", "", {}), "203.0.113.7");
  EXPECT_EQ(ClientKey("203.0.113.7", "198.51.100.1", {}), "203.0.113.7");
  // A peer that is not itself trusted cannot speak for anyone else.
  EXPECT_EQ(ClientKey("203.0.113.7", "198.51.100.1", Trust({"10.0.0.0/8"})), "203.0.113.7");
}

TEST(ClientAddress, BehindTrustedProxiesTheRightMostUntrustedEntryIsTheClient) {
  const auto trusted = Trust({"10.0.0.0/8", "127.0.0.1"});
  // The client could write anything on the left; the proxies append on the right.
  EXPECT_EQ(ClientKey("127.0.0.1", "6.6.6.6, 198.51.100.9, 10.1.2.3", trusted), "198.51.100.9");
  EXPECT_EQ(ClientKey("127.0.0.1", "198.51.100.9", trusted), "198.51.100.9");
  EXPECT_EQ(ClientKey("127.0.0.1", "198.51.100.9:4711", trusted), "198.51.100.9");
  // Every hop trusted: the left-most is as far as we can see.
  EXPECT_EQ(ClientKey("127.0.0.1", "10.9.9.9, 10.1.1.1", trusted), "10.9.9.9");
  // No header at all: the peer.
  EXPECT_EQ(ClientKey("127.0.0.1", "", trusted), "127.0.0.1");
  // Garbage stops the walk at the last hop that was believed.
  EXPECT_EQ(ClientKey("127.0.0.1", "198.51.100.9, unknown, 10.1.2.3", trusted), "10.1.2.3");
  EXPECT_EQ(ClientKey("127.0.0.1", "not an address", trusted), "127.0.0.1");
}

TEST(ClientAddress, IPv6ClientsAreKeyedByTheirSlash64) {
  EXPECT_EQ(ClientKey("2001:db8:1:2:aaaa::1", "", {}), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientKey("2001:db8:1:2:bbbb::9", "", {}), "2001:db8:1:2::/64");
  EXPECT_NE(ClientKey("2001:db8:1:3::1", "", {}), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientKey("::1", "[2001:db8:5:6::7]:443", Trust({"::1/128"})), "2001:db8:5:6::/64");
  // IPv4 on a dual-stack socket is still IPv4.
  EXPECT_EQ(ClientKey("::ffff:192.0.2.4", "", {}), "192.0.2.4");
}

TEST(ClientAddress, TrustedProxiesParseNetworksAndRefuseNonsense) {
  const auto trusted = Trust({"192.168.0.0/16", "fd00::/8"});
  EXPECT_TRUE(trusted.Contains(*IpAddress::Parse("192.168.44.1")));
  EXPECT_FALSE(trusted.Contains(*IpAddress::Parse("192.169.0.1")));
  EXPECT_TRUE(trusted.Contains(*IpAddress::Parse("fd12::1")));
  EXPECT_FALSE(trusted.Contains(*IpAddress::Parse("fe80::1")));
  EXPECT_TRUE(Trust({"0.0.0.0/0"}).Contains(*IpAddress::Parse("8.8.8.8")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "example.com", "10.0.0.1:80", "[::1]", "", "1.2.3.4/x"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
  }
}

}  // namespace
}  // namespace minitok::ratelimit
