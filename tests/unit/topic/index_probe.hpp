// Test helper: runs subscription_index::match and records what it reported.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "topic/subscription_index.hpp"

namespace gridmq::topic::test {

struct probe_result {
  std::vector<std::pair<std::uint64_t, int>> ordinary;  // (key, value), sorted
  std::vector<std::string> groups;                      // group names, sorted
};

inline probe_result probe(const subscription_index<int>& index, std::string_view topic) {
  probe_result r;
  index.match(
      topic, [&](std::uint64_t k, const int& v) { r.ordinary.emplace_back(k, v); },
      [&](std::string_view g, shared_group_view<int>&) { r.groups.emplace_back(g); });
  std::sort(r.ordinary.begin(), r.ordinary.end());
  std::sort(r.groups.begin(), r.groups.end());
  return r;
}

}  // namespace gridmq::topic::test
