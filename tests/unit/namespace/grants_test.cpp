// Publish and subscribe decisions (eventgrid.md 2.4): a topic matches a
// granted filter; a subscription's filter must be covered by one.
#include <gtest/gtest.h>

#include "namespace/client_grants.hpp"

namespace gridmq::ns {
namespace {

TEST(Covers, Table) {
  struct row {
    const char* granted;
    const char* filter;
    bool covered;
  };
  for (const auto& r : {
           row{"a/b", "a/b", true},           row{"a/b", "a/c", false},
           row{"a/+", "a/b", true},           row{"a/+", "a/+", true},
           row{"a/b", "a/+", false},          // "a/+" also matches "a/c"
           row{"a/+", "a/#", false},          // "a/#" matches "a" and "a/b/c"
           row{"a/#", "a/#", true},           row{"a/#", "a", true},  // '#' includes the parent level
           row{"a/#", "a/b/+/d", true},       row{"a/+", "a", false},
           row{"a/+", "a/b/c", false},        row{"#", "anything/at/all", true},
           row{"#", "$SYS/x", false},         // [MQTT-4.7.2-1]
           row{"+/x", "$SYS/x", false},       row{"$SYS/#", "$SYS/x", true},
           row{"+/+", "+/x", true},           row{"a/b/c", "a/b", false},
           row{"a/+/c", "a/+/c", true},       row{"a/+/c", "a/#", false},
       }) {
    EXPECT_EQ(covers(r.granted, r.filter), r.covered) << r.granted << " vs " << r.filter;
  }
}

TEST(ClientGrants, PublishMatchesTopicNames) {
  client_grants g({"devices/d1/#", "shared/+/status"}, {});
  EXPECT_TRUE(g.may_publish("devices/d1/temp"));
  EXPECT_TRUE(g.may_publish("devices/d1"));
  EXPECT_TRUE(g.may_publish("shared/x/status"));
  EXPECT_FALSE(g.may_publish("devices/d2/temp"));
  EXPECT_FALSE(g.may_publish("shared/x/y/status"));
  EXPECT_FALSE(client_grants().may_publish("a"));  // no grants: nothing
}

TEST(ClientGrants, SubscribeNeedsCoverageAndShareIsJudgedOnItsFilter) {
  client_grants g({}, {"alerts/#", "devices/+/status"});
  EXPECT_TRUE(g.may_subscribe("alerts/fire"));
  EXPECT_TRUE(g.may_subscribe("alerts/#"));
  EXPECT_TRUE(g.may_subscribe("devices/+/status"));
  EXPECT_FALSE(g.may_subscribe("devices/#"));
  EXPECT_FALSE(g.may_subscribe("#"));
  EXPECT_TRUE(g.may_subscribe("$share/workers/alerts/fire"));
  EXPECT_FALSE(g.may_subscribe("$share/workers/devices/d1/temp"));
}

}  // namespace
}  // namespace gridmq::ns
