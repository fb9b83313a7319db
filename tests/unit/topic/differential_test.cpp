// Differential test: subscription_index against the naive matcher.
//
// Random subscribe / unsubscribe / unsubscribe_all churn over a small level
// alphabet (empty levels, '$'-prefixed levels, '+', trailing '#'), with a
// fixed seed. After every operation random topics are matched and the index's
// answer must equal matches() applied to every subscription of a plain model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "topic/matches.hpp"
#include "topic/subscription_index.hpp"
#include "topic/validation.hpp"

namespace gridmq::topic {
namespace {

using sub_id = std::tuple<std::string, std::string, std::uint64_t>;  // filter, group, key
struct model_value {
  int value;
  std::uint64_t seq;  // subscription order, kept on replace
};
using model = std::map<sub_id, model_value>;

using ordinary_set = std::vector<std::pair<std::uint64_t, int>>;
using group_set = std::vector<std::pair<std::string, ordinary_set>>;  // name, members in order

class random_input {
 public:
  explicit random_input(std::uint32_t seed) : rng_(seed) {}

  std::string topic() {
    static constexpr const char* alphabet[] = {"a", "b", "c", "", "$s", "$"};
    return join(levels(alphabet, 6));
  }

  std::string filter() {
    static constexpr const char* alphabet[] = {"a", "b", "c", "", "$s", "+", "+"};
    std::vector<std::string> parts = levels(alphabet, 7);
    if (pick(4) == 0) {
      if (pick(2) == 0) parts.back() = "#";
      else parts.push_back("#");
    }
    return join(parts);
  }

  std::string group() {
    static constexpr const char* groups[] = {"", "", "", "g1", "g2"};
    return groups[pick(5)];
  }

  std::uint64_t key() { return pick(8) + 1; }
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

 private:
  template <std::size_t N>
  std::vector<std::string> levels(const char* const (&alphabet)[N], std::size_t n) {
    std::vector<std::string> out(pick(4) + 1);
    for (auto& l : out) l = alphabet[pick(n)];
    return out;
  }

  static std::string join(const std::vector<std::string>& parts) {
    std::string s = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) s += "/" + parts[i];
    return s;
  }

  std::mt19937 rng_;
};

std::pair<ordinary_set, group_set> expected(const model& m, const std::string& topic) {
  ordinary_set ordinary;
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::uint64_t, std::pair<std::uint64_t, int>>>>
      groups;  // (filter, group) -> (seq, (key, value))
  for (const auto& [id, v] : m) {
    const auto& [filter, group, key] = id;
    if (!matches(filter, topic)) continue;
    if (group.empty()) {
      ordinary.emplace_back(key, v.value);
    } else {
      groups[{filter, group}].push_back({v.seq, {key, v.value}});
    }
  }
  std::sort(ordinary.begin(), ordinary.end());
  group_set gs;
  for (auto& [fg, members] : groups) {
    std::sort(members.begin(), members.end());
    ordinary_set in_order;
    for (const auto& [seq, kv] : members) in_order.push_back(kv);
    gs.emplace_back(fg.second, in_order);
  }
  std::sort(gs.begin(), gs.end());
  return {ordinary, gs};
}

std::pair<ordinary_set, group_set> actual(const subscription_index<int>& index, const std::string& topic) {
  ordinary_set ordinary;
  group_set gs;
  index.match(
      topic, [&](std::uint64_t k, const int& v) { ordinary.emplace_back(k, v); },
      [&](std::string_view name, shared_group_view<int>& g) {
        ordinary_set members;
        for (std::size_t i = 0; i < g.size(); ++i) members.emplace_back(g[i].key, g[i].value);
        gs.emplace_back(std::string(name), members);
      });
  std::sort(ordinary.begin(), ordinary.end());
  std::sort(gs.begin(), gs.end());
  return {ordinary, gs};
}

void apply_random_op(random_input& in, subscription_index<int>& index, model& m, std::uint64_t& seq, int value) {
  const std::size_t op = in.pick(10);
  if (op < 6) {
    sub_id id{in.filter(), in.group(), in.key()};
    const auto [filter, group, key] = id;
    if (!is_valid_topic_filter(filter)) {  // the alphabet can make "" (one empty level)
      EXPECT_FALSE(index.subscribe(filter, group, key, value));
      return;
    }
    const auto it = m.find(id);
    const bool is_new = it == m.end();
    EXPECT_EQ(index.subscribe(filter, group, key, value), is_new) << filter;
    if (is_new) m.emplace(id, model_value{value, seq++});
    else it->second.value = value;
  } else if (op < 9) {
    // Half the time a subscription that exists, else a random (likely absent) one.
    sub_id id{in.filter(), in.group(), in.key()};
    if (!m.empty() && in.pick(2) == 0) id = std::next(m.begin(), static_cast<long>(in.pick(m.size())))->first;
    const bool existed = m.erase(id) == 1;
    EXPECT_EQ(index.unsubscribe(std::get<0>(id), std::get<1>(id), std::get<2>(id)), existed);
  } else {
    const std::uint64_t key = in.key();
    index.unsubscribe_all(key);
    std::erase_if(m, [key](const auto& e) { return std::get<2>(e.first) == key; });
  }
}

TEST(differential, index_equals_naive_matcher_under_churn) {
  random_input in(20240611);
  subscription_index<int> index;
  model m;
  std::uint64_t seq = 0;
  constexpr int operations = 6000;
  for (int i = 0; i < operations; ++i) {
    apply_random_op(in, index, m, seq, i);
    ASSERT_EQ(index.size(), m.size());
    for (int t = 0; t < 4; ++t) {
      const std::string topic = in.topic();
      ASSERT_EQ(actual(index, topic), expected(m, topic)) << "operation " << i << " topic '" << topic << "'";
    }
  }
  for (std::uint64_t k = 1; k <= 8; ++k) {
    const auto n = static_cast<std::size_t>(
        std::count_if(m.begin(), m.end(), [k](const auto& e) { return std::get<2>(e.first) == k; }));
    EXPECT_EQ(index.count(k), n);
    index.unsubscribe_all(k);
  }
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.node_count(), 0u) << "every node pruned";
}

TEST(differential, every_table_topic_against_many_filters) {
  // A denser check without churn: all filters of a small alphabet at once.
  random_input in(7);
  subscription_index<int> index;
  model m;
  for (int i = 0; i < 400; ++i) {
    sub_id id{in.filter(), "", static_cast<std::uint64_t>(i)};
    if (index.subscribe(std::get<0>(id), "", static_cast<std::uint64_t>(i), i)) m.emplace(id, model_value{i, 0});
  }
  for (int t = 0; t < 2000; ++t) {
    const std::string topic = in.topic();
    ASSERT_EQ(actual(index, topic), expected(m, topic)) << topic;
  }
}

}  // namespace
}  // namespace gridmq::topic
