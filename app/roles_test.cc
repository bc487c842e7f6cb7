#include "app/roles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace minitok::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RolesTest, AllRunsEverythingInProcess) {
  const auto roles = ParseRoles("all").value();
  EXPECT_TRUE(roles.all);
  EXPECT_TRUE(roles.gateway);
  EXPECT_THAT(roles.services, ElementsAre("user", "video", "favorite", "comment", "relation", "message"));
}

TEST(RolesTest, ServicesKeepTheirBuildOrderWhateverOrderTheyAreGivenIn) {
  const auto roles = ParseRoles("message,gateway,user").value();
  EXPECT_FALSE(roles.all);
  EXPECT_TRUE(roles.gateway);
  EXPECT_THAT(roles.services, ElementsAre("user", "message"));
}

TEST(RolesTest, WhatAProcessCallsFollowsTheServicesDependencies) {
  EXPECT_THAT(ParseRoles("favorite").value().Needed(), ElementsAre("video", "favorite"));
  EXPECT_THAT(ParseRoles("relation,comment").value().Needed(), ElementsAre("user", "video", "comment", "relation"));
  EXPECT_THAT(ParseRoles("video,media").value().Needed(), ElementsAre("video"));
  EXPECT_EQ(ParseRoles("gateway").value().Needed().size(), 6u);
}

TEST(RolesTest, MediaWorkersRunWithTheVideoServiceOrOnTheirOwn) {
  const auto alone = ParseRoles("media").value();
  EXPECT_TRUE(alone.media);
  EXPECT_FALSE(alone.gateway);
  EXPECT_TRUE(alone.services.empty());
  EXPECT_TRUE(alone.Needed().empty()) << "it calls the video service's jobs, not the video service";
  EXPECT_THAT(alone.names, ElementsAre("media"));
  EXPECT_TRUE(ParseRoles("video,media").value().media);
  EXPECT_FALSE(ParseRoles("video").value().media);
  EXPECT_TRUE(ParseRoles("all").value().media);
  EXPECT_THAT(ParseRoles("all").value().names, ElementsAre("all"));
}

TEST(RolesTest, BadRolesAreRefusedWithWhatIsAllowed) {
  EXPECT_THAT(ParseRoles("gateway,likes").error().message, HasSubstr("unknown role \"likes\""));
  EXPECT_THAT(ParseRoles("").error().message, HasSubstr("names no role"));
  EXPECT_THAT(ParseRoles("all,user").error().message, HasSubstr("unknown role \"all\""));
}

TEST(RolesTest, PeersMayNameAServiceSeveralTimes) {
  const auto peers = ParsePeers("user=127.0.0.1:7001,video=[::1]:7002,user=10.0.0.2:7001").value();
  EXPECT_THAT(peers.at("user"), ElementsAre("127.0.0.1:7001", "10.0.0.2:7001"));
  EXPECT_THAT(peers.at("video"), ElementsAre("[::1]:7002"));
  EXPECT_TRUE(ParsePeers("").value().empty());
}

TEST(RolesTest, BadPeersAreRefused) {
  for (const char* bad : {"user", "user=", "gateway=127.0.0.1:1", "user=localhost", "=127.0.0.1:1"}) {
    EXPECT_FALSE(ParsePeers(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace minitok::app
