#include "libs/discovery/membership.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/discovery/etcd.h"

namespace minitok::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(MembershipTest, KeysAndValuesRoundTrip) {
  EXPECT_EQ(InstanceKey("minitok", "favorite", "ab12"), "minitok/services/favorite/ab12");
  EXPECT_EQ(AddressOf(InstanceValue("10.0.0.7:7003", 1700000000000)), "10.0.0.7:7003");
  EXPECT_FALSE(AddressOf("10.0.0.7:7003").has_value()) << "a bare address is not an instance value";
  EXPECT_FALSE(AddressOf(R"({"address":""})").has_value());
  EXPECT_FALSE(AddressOf(R"({"address":7})").has_value());
}

TEST(MembershipTest, APrefixEndsAtItsLastBytePlusOne) {
  EXPECT_EQ(PrefixEnd("minitok/services/"), "minitok/services0");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff", 1)), std::string(1, '\0'));
}

TEST(MembershipTest, FollowsInstancesPerServiceAndIgnoresForeignKeys) {
  Membership membership("prod");
  membership.Reset({{"prod/services/favorite/a", InstanceValue("127.0.0.1:2", 1)},
                    {"prod/services/favorite/b", InstanceValue("127.0.0.1:1", 1)},
                    {"prod/services/user/c", InstanceValue("127.0.0.1:3", 1)},
                    {"prod/config/gateway", "{}"},
                    {"test/services/favorite/d", InstanceValue("127.0.0.1:9", 1)}});
  EXPECT_THAT(membership.Addresses("favorite"), ElementsAre("127.0.0.1:1", "127.0.0.1:2"));
  EXPECT_THAT(membership.Addresses("user"), ElementsAre("127.0.0.1:3"));
  EXPECT_THAT(membership.Addresses("fav"), IsEmpty()) << "a service name is not a prefix of another";

  EXPECT_EQ(membership.Put("prod/services/favorite/e", InstanceValue("127.0.0.1:5", 2)), "favorite");
  EXPECT_EQ(membership.Remove("prod/services/favorite/a"), "favorite");
  EXPECT_THAT(membership.Addresses("favorite"), ElementsAre("127.0.0.1:1", "127.0.0.1:5"));
  EXPECT_FALSE(membership.Remove("prod/services/favorite/a").has_value()) << "already gone";
  EXPECT_FALSE(membership.Put("prod/services/favorite", InstanceValue("127.0.0.1:6", 2)).has_value());
  EXPECT_FALSE(membership.Put("prod/services/message/f", "not json").has_value());

  membership.Reset({});
  EXPECT_THAT(membership.Addresses("favorite"), IsEmpty());
}

TEST(EtcdEndpointsTest, SchemeIsOptionalAndEveryEndpointNeedsAPort) {
  EXPECT_THAT(ParseEtcdEndpoints("http://127.0.0.1:2379,etcd-2:2379/").value(),
              ElementsAre("127.0.0.1:2379", "etcd-2:2379"));
  for (const char* bad : {"", "http://127.0.0.1", "https://127.0.0.1:2379", "127.0.0.1:port", ":2379"}) {
    EXPECT_FALSE(ParseEtcdEndpoints(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace minitok::discovery
