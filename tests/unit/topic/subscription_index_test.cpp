// subscription_index: subscribe / replace / unsubscribe / prune, the spec's
// match table through the trie, and the $ rule.
#include "topic/subscription_index.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "index_probe.hpp"
#include "match_table.hpp"
#include "topic/matches.hpp"

namespace gridmq::topic {
namespace {

using test::probe;
using entries = std::vector<std::pair<std::uint64_t, int>>;

TEST(subscription_index, spec_table_through_the_trie) {
  for (const auto& row : test::match_rows) {
    subscription_index<int> index;
    ASSERT_TRUE(index.subscribe(row.filter, "", 1, 0)) << row.filter;
    const bool got = !probe(index, row.topic).ordinary.empty();
    EXPECT_EQ(got, row.match) << row.rule << ": filter '" << row.filter << "' topic '" << row.topic << "'";
  }
}

TEST(subscription_index, all_table_filters_in_one_index) {
  // Same table, every filter subscribed at once under its own key: the set
  // reported for each topic is exactly the rows that say "match", plus any
  // other row's filter that also matches (checked with matches()).
  subscription_index<int> index;
  std::uint64_t k = 0;
  for (const auto& row : test::match_rows) index.subscribe(row.filter, "", ++k, 0);
  for (const auto& row : test::match_rows) {
    entries want;
    std::uint64_t key = 0;
    for (const auto& other : test::match_rows) {
      ++key;
      if (matches(other.filter, row.topic)) want.emplace_back(key, 0);
    }
    EXPECT_EQ(probe(index, row.topic).ordinary, want) << row.topic;
  }
}

TEST(subscription_index, subscribe_replaces_value_for_same_filter_and_key) {
  subscription_index<int> index;
  EXPECT_TRUE(index.subscribe("a/b", "", 7, 1));
  EXPECT_FALSE(index.subscribe("a/b", "", 7, 2));  // replaced
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(probe(index, "a/b").ordinary, (entries{{7, 2}}));
}

TEST(subscription_index, overlapping_filters_of_one_client_give_one_call_each) {
  subscription_index<int> index;
  index.subscribe("a/b", "", 7, 1);
  index.subscribe("a/+", "", 7, 2);
  index.subscribe("#", "", 7, 3);
  index.subscribe("a/#", "", 8, 4);
  EXPECT_EQ(probe(index, "a/b").ordinary, (entries{{7, 1}, {7, 2}, {7, 3}, {8, 4}}));
  EXPECT_EQ(index.count(7), 3u);
  EXPECT_EQ(index.size(), 4u);
}

TEST(subscription_index, dollar_topics_skip_root_wildcards) {
  subscription_index<int> index;
  index.subscribe("#", "", 1, 0);
  index.subscribe("+/monitor/Clients", "", 2, 0);
  index.subscribe("$SYS/#", "", 3, 0);
  index.subscribe("$SYS/monitor/+", "", 4, 0);
  index.subscribe("$share/g/#", "", 5, 0);  // not parsed here: an ordinary filter
  index.subscribe("#", "g", 6, 0);          // "$share/g/#" as the broker stores it
  // [MQTT-4.7.2-1]
  auto r = probe(index, "$SYS/monitor/Clients");
  EXPECT_EQ(r.ordinary, (entries{{3, 0}, {4, 0}}));
  EXPECT_TRUE(r.groups.empty()) << "a shared '#' is still a root wildcard";
  r = probe(index, "x/monitor/Clients");
  EXPECT_EQ(r.ordinary, (entries{{1, 0}, {2, 0}}));
  EXPECT_EQ(r.groups, std::vector<std::string>{"g"});
}

TEST(subscription_index, invalid_filter_or_group_is_refused) {
  subscription_index<int> index;
  EXPECT_FALSE(index.subscribe("", "", 1, 0));
  EXPECT_FALSE(index.subscribe("a/#/b", "", 1, 0));
  EXPECT_FALSE(index.subscribe("a+", "", 1, 0));
  EXPECT_FALSE(index.subscribe("a", "g/h", 1, 0));
  EXPECT_FALSE(index.subscribe("a", "g+", 1, 0));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.node_count(), 0u);
}

TEST(subscription_index, unsubscribe_removes_only_that_subscription_and_prunes) {
  subscription_index<int> index;
  index.subscribe("a/b/c", "", 1, 0);
  index.subscribe("a/b", "", 2, 0);
  index.subscribe("a/+/c", "", 1, 0);
  EXPECT_EQ(index.node_count(), 5u);  // a, a/b, a/b/c, a/+, a/+/c
  EXPECT_FALSE(index.unsubscribe("a/b/c", "", 2));  // other key
  EXPECT_FALSE(index.unsubscribe("a/b/c", "g", 1));  // other group
  EXPECT_FALSE(index.unsubscribe("x/y", "", 1));     // no such filter
  EXPECT_TRUE(index.unsubscribe("a/b/c", "", 1));
  EXPECT_FALSE(index.unsubscribe("a/b/c", "", 1));  // already gone
  EXPECT_EQ(index.node_count(), 4u);
  EXPECT_EQ(probe(index, "a/b/c").ordinary, (entries{{1, 0}}));
  EXPECT_TRUE(index.unsubscribe("a/+/c", "", 1));
  EXPECT_EQ(index.node_count(), 2u);  // a, a/b (still used by key 2)
  EXPECT_TRUE(index.unsubscribe("a/b", "", 2));
  EXPECT_EQ(index.node_count(), 0u);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.count(1), 0u);
}

TEST(subscription_index, unsubscribe_all_removes_every_subscription_of_a_key) {
  subscription_index<int> index;
  index.subscribe("a/#", "", 1, 0);
  index.subscribe("a/b", "", 1, 0);
  index.subscribe("a/b", "g", 1, 0);
  index.subscribe("a/b", "", 2, 0);
  index.unsubscribe_all(1);
  index.unsubscribe_all(99);  // unknown key: no-op
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.count(1), 0u);
  auto r = probe(index, "a/b");
  EXPECT_EQ(r.ordinary, (entries{{2, 0}}));
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(index.node_count(), 2u);
  // The key can subscribe again afterwards.
  EXPECT_TRUE(index.subscribe("a/b", "", 1, 5));
  EXPECT_EQ(index.count(1), 1u);
}

TEST(subscription_index, many_subscribers_on_one_filter) {
  // Crosses subscriber_set's switch to a position map and back.
  subscription_index<int> index;
  for (std::uint64_t k = 0; k < 200; ++k) EXPECT_TRUE(index.subscribe("fan/out", "", k, static_cast<int>(k)));
  EXPECT_FALSE(index.subscribe("fan/out", "", 150, -1));
  for (std::uint64_t k = 0; k < 200; k += 2) EXPECT_TRUE(index.unsubscribe("fan/out", "", k));
  auto r = probe(index, "fan/out");
  ASSERT_EQ(r.ordinary.size(), 100u);
  for (std::size_t i = 0; i < r.ordinary.size(); ++i) {
    const std::uint64_t k = 2 * i + 1;
    EXPECT_EQ(r.ordinary[i].first, k);
    EXPECT_EQ(r.ordinary[i].second, static_cast<int>(k));
  }
  for (std::uint64_t k = 1; k < 200; k += 2) EXPECT_TRUE(index.unsubscribe("fan/out", "", k));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.node_count(), 0u);
}

TEST(subscription_index, replaced_value_survives_the_position_map) {
  subscription_index<int> index;
  for (std::uint64_t k = 0; k < 40; ++k) index.subscribe("t", "", k, 0);
  EXPECT_FALSE(index.subscribe("t", "", 33, 9));
  for (std::uint64_t k = 0; k < 30; ++k) index.unsubscribe("t", "", k);  // back below the map threshold
  EXPECT_FALSE(index.subscribe("t", "", 33, 10));
  auto r = probe(index, "t");
  ASSERT_EQ(r.ordinary.size(), 10u);
  EXPECT_EQ(r.ordinary[3], (std::pair<std::uint64_t, int>{33, 10}));
}

TEST(subscription_index, deep_filter_at_the_level_limit) {
  subscription_index<int> index;
  std::string filter = "+";
  std::string topic = "x";
  for (std::size_t i = 1; i < max_filter_levels; ++i) {
    filter += "/+";
    topic += "/x";
  }
  ASSERT_TRUE(index.subscribe(filter, "", 1, 0));
  EXPECT_EQ(probe(index, topic).ordinary.size(), 1u);
  EXPECT_TRUE(probe(index, topic + "/x").ordinary.empty());
  EXPECT_FALSE(index.subscribe(filter + "/+", "", 1, 0));
  // A much deeper topic name is fine: matching stops where the trie ends.
  EXPECT_TRUE(probe(index, std::string(60000, '/')).ordinary.empty());
  EXPECT_TRUE(index.unsubscribe(filter, "", 1));
  EXPECT_EQ(index.node_count(), 0u);
}

TEST(subscription_index, empty_topic_matches_nothing) {
  subscription_index<int> index;
  index.subscribe("#", "", 1, 0);
  index.subscribe("+", "", 1, 0);
  EXPECT_TRUE(probe(index, "").ordinary.empty());
}

}  // namespace
}  // namespace gridmq::topic
