// Shared subscriptions ([MQTT-4.8.2]): groups per (filter, share name), the
// member list, the round-robin cursor and picking with skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "index_probe.hpp"
#include "topic/subscription_index.hpp"

namespace gridmq::topic {
namespace {

using members = std::vector<std::pair<std::uint64_t, int>>;

// Members of every group matching topic, by group name then filter order.
std::map<std::string, std::vector<members>> groups_of(const subscription_index<int>& index, std::string_view topic) {
  std::map<std::string, std::vector<members>> out;
  index.match(
      topic, [](std::uint64_t, const int&) {},
      [&](std::string_view name, shared_group_view<int>& g) {
        EXPECT_EQ(name, g.name());
        members m;
        for (std::size_t i = 0; i < g.size(); ++i) m.emplace_back(g[i].key, g[i].value);
        out[std::string(name)].push_back(m);
      });
  return out;
}

// Runs `n` publishes on topic; each picks one member of group `name`.
std::vector<std::uint64_t> picks(const subscription_index<int>& index, std::string_view topic, int n,
                                 const std::vector<std::uint64_t>& offline = {}) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) {
    index.match(
        topic, [](std::uint64_t, const int&) {},
        [&](std::string_view, shared_group_view<int>& g) {
          const auto* m = g.pick([&](std::uint64_t k, const int&) {
            return std::find(offline.begin(), offline.end(), k) == offline.end();
          });
          out.push_back(m == nullptr ? 0 : m->key);
        });
  }
  return out;
}

TEST(shared_group, members_listed_in_subscription_order) {
  subscription_index<int> index;
  EXPECT_TRUE(index.subscribe("a/+", "g", 3, 30));
  EXPECT_TRUE(index.subscribe("a/+", "g", 1, 10));
  EXPECT_TRUE(index.subscribe("a/+", "g", 2, 20));
  EXPECT_FALSE(index.subscribe("a/+", "g", 1, 11));  // replaced in place, order kept
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(groups_of(index, "a/b")["g"], (std::vector<members>{{{3, 30}, {1, 11}, {2, 20}}}));
}

TEST(shared_group, one_call_per_filter_and_group) {
  subscription_index<int> index;
  index.subscribe("a/+", "g", 1, 0);
  index.subscribe("a/#", "g", 2, 0);  // same name, different filter: another group
  index.subscribe("a/+", "h", 3, 0);
  index.subscribe("a/+", "", 4, 0);   // ordinary subscription on the same node
  auto r = test::probe(index, "a/b");
  EXPECT_EQ(r.groups, (std::vector<std::string>{"g", "g", "h"}));
  EXPECT_EQ(r.ordinary, (members{{4, 0}}));
  EXPECT_TRUE(test::probe(index, "b/b").groups.empty());
}

TEST(shared_group, round_robin_cursor) {
  subscription_index<int> index;
  for (std::uint64_t k = 1; k <= 3; ++k) index.subscribe("t", "g", k, 0);
  EXPECT_EQ(picks(index, "t", 7), (std::vector<std::uint64_t>{1, 2, 3, 1, 2, 3, 1}));
}

TEST(shared_group, next_index_wraps_over_the_members) {
  subscription_index<int> index;
  index.subscribe("t", "g", 1, 0);
  index.subscribe("t", "g", 2, 0);
  std::vector<std::size_t> got;
  for (int i = 0; i < 4; ++i) {
    index.match("t", [](std::uint64_t, const int&) {},
                [&](std::string_view, shared_group_view<int>& g) { got.push_back(g.next_index()); });
  }
  EXPECT_EQ(got, (std::vector<std::size_t>{0, 1, 0, 1}));
}

TEST(shared_group, pick_skips_unusable_members_and_moves_past_them) {
  subscription_index<int> index;
  for (std::uint64_t k = 1; k <= 4; ++k) index.subscribe("t", "g", k, 0);
  // Member 2 offline: it is skipped and the rotation does not favour 3.
  EXPECT_EQ(picks(index, "t", 6, {2}), (std::vector<std::uint64_t>{1, 3, 4, 1, 3, 4}));
  // Nobody usable: no pick.
  EXPECT_EQ(picks(index, "t", 1, {1, 2, 3, 4}), (std::vector<std::uint64_t>{0}));
}

TEST(shared_group, unsubscribe_members) {
  subscription_index<int> index;
  for (std::uint64_t k = 1; k <= 3; ++k) index.subscribe("t", "g", k, static_cast<int>(k));
  EXPECT_FALSE(index.unsubscribe("t", "", 2));   // not an ordinary subscriber
  EXPECT_FALSE(index.unsubscribe("t", "h", 2));  // not in that group
  EXPECT_TRUE(index.unsubscribe("t", "g", 2));
  EXPECT_EQ(groups_of(index, "t")["g"], (std::vector<members>{{{1, 1}, {3, 3}}}));
  EXPECT_TRUE(index.unsubscribe("t", "g", 1));
  EXPECT_TRUE(index.unsubscribe("t", "g", 3));
  EXPECT_TRUE(groups_of(index, "t").empty()) << "an empty group is removed";
  EXPECT_EQ(index.node_count(), 0u);
  EXPECT_EQ(index.size(), 0u);
}

TEST(shared_group, unsubscribe_all_leaves_other_members) {
  subscription_index<int> index;
  index.subscribe("t/#", "g", 1, 0);
  index.subscribe("t/#", "g", 2, 0);
  index.subscribe("t/+", "h", 1, 0);
  index.subscribe("t/x", "", 1, 0);
  index.unsubscribe_all(1);
  EXPECT_EQ(index.size(), 1u);
  auto g = groups_of(index, "t/x");
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g["g"], (std::vector<members>{{{2, 0}}}));
  EXPECT_EQ(picks(index, "t/x", 2), (std::vector<std::uint64_t>{2, 2}));
  index.unsubscribe_all(2);
  EXPECT_EQ(index.node_count(), 0u);
}

}  // namespace
}  // namespace gridmq::topic
