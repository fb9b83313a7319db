// One node of the subscription trie: one topic-filter level.
//
// Exact levels are children in a hash map keyed by the level string, looked
// up with a string_view (transparent hash, no temporary std::string). The
// wildcards '+' and '#' are not map entries but dedicated pointers, so the
// matcher reaches them without hashing. A '#' node is always a leaf
// ([MQTT-4.7.1-2] '#' is the last level). The subscriptions whose filter ends
// here live in `subscribers` (ordinary) and `groups` (one per share name).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "topic/shared_group.hpp"
#include "topic/subscriber_set.hpp"

namespace gridmq::topic {

struct level_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class Value>
struct trie_node {
  using child_map = std::unordered_map<std::string, std::unique_ptr<trie_node>, level_hash, std::equal_to<>>;

  child_map children;
  std::unique_ptr<trie_node> plus;   // the '+' level
  std::unique_ptr<trie_node> hash;   // the '#' level (a leaf)
  subscriber_set<Value> subscribers;
  std::vector<std::unique_ptr<shared_group<Value>>> groups;  // few per filter: linear search

  const trie_node* find_child(std::string_view level) const {
    if (children.empty()) return nullptr;  // skip hashing at leaves
    const auto it = children.find(level);
    return it == children.end() ? nullptr : it->second.get();
  }

  // The child for `level`, created if missing.
  trie_node& child(std::string_view level) {
    if (level == "+") return ensure(plus);
    if (level == "#") return ensure(hash);
    auto it = children.find(level);
    if (it == children.end()) it = children.emplace(std::string(level), std::make_unique<trie_node>()).first;
    return *it->second;
  }

  // The existing child for `level`, or nullptr.
  trie_node* existing_child(std::string_view level) {
    if (level == "+") return plus.get();
    if (level == "#") return hash.get();
    const auto it = children.find(level);
    return it == children.end() ? nullptr : it->second.get();
  }

  void remove_child(std::string_view level) {
    if (level == "+") {
      plus.reset();
    } else if (level == "#") {
      hash.reset();
    } else if (const auto it = children.find(level); it != children.end()) {
      children.erase(it);
    }
  }

  shared_group<Value>* find_group(std::string_view name) const {
    for (const auto& g : groups) {
      if (g->name() == name) return g.get();
    }
    return nullptr;
  }

  void remove_group(const shared_group<Value>* g) {
    std::erase_if(groups, [g](const auto& p) { return p.get() == g; });
  }

  bool empty() const noexcept {
    return children.empty() && !plus && !hash && subscribers.empty() && groups.empty();
  }

 private:
  static trie_node& ensure(std::unique_ptr<trie_node>& p) {
    if (!p) p = std::make_unique<trie_node>();
    return *p;
  }
};

}  // namespace gridmq::topic
