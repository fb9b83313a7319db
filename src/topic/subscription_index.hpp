// subscription_index: who receives a PUBLISH. Design note.
//
// Shape. A trie with one node per topic-filter level (trie_node.hpp). Exact
// levels hang off a hash map keyed by the level; '+' and '#' are dedicated
// child pointers. A subscription is stored at the node where its filter ends:
// ordinary ones in a subscriber_set (key -> Value), shared ones in the node's
// shared_group of that share name. "$share/g/a/+" is stored as filter "a/+",
// group "g", so a shared and an ordinary subscription on the same filter share
// a node.
//
// Matching walks the topic's levels as string_views (no allocation, no
// vector<string>). From each node it follows the exact child and, by
// recursion, the '+' child; a '#' child matches wherever it is met, including
// at the topic's last level, which gives "a/#" matching "a" ([MQTT-4.7.1-2]).
// Recursion depth is the number of '+' levels on a path, bounded by
// max_filter_levels. Each node is visited at most once per topic, so every
// (filter, key) yields one on_match call and every (filter, group) one
// on_group call.
//
// The '$' rule [MQTT-4.7.2-1]: for a topic starting with '$' the root's '+'
// and '#' children are skipped; "$SYS/#" still matches through the exact
// "$SYS" child. The rule applies to the filter part of shared subscriptions
// too ("$share/g/#" does not match "$SYS/x").
//
// Locking: one writer_priority_mutex. match() holds it shared, so publishes
// on different workers match in parallel; subscribe/unsubscribe hold it
// exclusively and prune nodes left empty, so the trie holds only live
// filters. Shared-group round-robin cursors are atomics, advanced under the
// shared lock. A per-key reverse map (key -> its filters) makes
// unsubscribe_all cost O(subscriptions of that key).
#pragma once

#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "topic/levels.hpp"
#include "topic/shared_group.hpp"
#include "topic/subscriber_set.hpp"
#include "topic/trie_node.hpp"
#include "topic/validation.hpp"
#include "topic/writer_priority_mutex.hpp"

namespace gridmq::topic {

// The broker's map from topic filters to subscribers.
//
// Role: stores (filter, share group, key) -> Value, where key is the session
// id and Value what the broker needs per subscription (options, identifier),
// and answers "who matches this topic name" for every PUBLISH.
// Concurrency: every member function is thread-safe. match() takes a shared
// lock: readers never block each other, only a writer (which is served before
// later readers). subscribe/unsubscribe/unsubscribe_all take the lock
// exclusively. match() calls its callbacks with the shared lock held: they
// must be short and must not call back into this index (that could deadlock).
// References handed to callbacks are valid only during the call.
// Limits: filters must pass is_valid_topic_filter (which caps them at
// max_filter_levels levels); anything else is refused, not stored. A share
// group name must be free of '/', '+', '#' and U+0000. Memory grows with the
// number of distinct filter levels and subscriptions; the broker bounds those
// (subscriptions per session, sessions).
template <class Value>
class subscription_index {
 public:
  using key = subscriber_key;
  using value_type = Value;
  using group_view = shared_group_view<Value>;

  subscription_index() = default;
  subscription_index(const subscription_index&) = delete;
  subscription_index& operator=(const subscription_index&) = delete;

  // Adds the subscription of k to filter (in share_group, empty for an
  // ordinary subscription), or replaces its Value if it exists. Returns true
  // if it is new; false if it replaced one, or if filter or group is invalid
  // (then nothing is stored: validate before, as the broker must anyway to
  // pick the SUBACK reason code).
  bool subscribe(std::string_view filter, std::string_view share_group, key k, Value v) {
    if (!is_valid_topic_filter(filter) || !is_valid_group(share_group)) return false;
    std::unique_lock lock(mutex_);
    trie_node<Value>* n = &root_;
    level_cursor levels(filter);
    while (!levels.done()) n = &n->child(levels.next());
    const bool added = share_group.empty() ? n->subscribers.upsert(k, std::move(v))
                                           : group_at(*n, share_group).upsert(k, std::move(v));
    if (added) {
      ++size_;
      by_key_[k].insert(encode(share_group, filter));
    }
    return added;
  }

  // Removes the subscription of k to filter in share_group. Returns true if
  // it existed. Trie nodes and groups left empty are freed.
  bool unsubscribe(std::string_view filter, std::string_view share_group, key k) {
    std::unique_lock lock(mutex_);
    if (!remove(filter, share_group, k)) return false;
    const auto it = by_key_.find(k);
    if (it != by_key_.end()) {
      it->second.erase(encode(share_group, filter));
      if (it->second.empty()) by_key_.erase(it);
    }
    return true;
  }

  // Removes every subscription of k (its session ended).
  void unsubscribe_all(key k) {
    std::unique_lock lock(mutex_);
    const auto it = by_key_.find(k);
    if (it == by_key_.end()) return;
    for (const std::string& entry : it->second) {
      const std::size_t sep = entry.find('\0');
      remove(std::string_view(entry).substr(sep + 1), std::string_view(entry).substr(0, sep), k);
    }
    by_key_.erase(it);
  }

  // Calls on_match(key, const Value&) for each ordinary subscription whose
  // filter matches topic (one call per (filter, key): overlapping filters of
  // one client give one call each), and on_group(std::string_view group,
  // group_view&) once per matching (filter, share group).
  template <class OnMatch, class OnGroup>
  void match(std::string_view topic, OnMatch&& on_match, OnGroup&& on_group) const {
    if (topic.empty()) return;
    std::shared_lock lock(mutex_);
    // [MQTT-4.7.2-1] no root-level wildcard for topics starting with '$'.
    const bool dollar = topic.front() == '$';
    if (!dollar && root_.hash) deliver(*root_.hash, on_match, on_group);
    level_cursor levels(topic);
    const std::string_view first = levels.next();
    if (!dollar && root_.plus) walk(*root_.plus, levels, on_match, on_group);
    if (const trie_node<Value>* c = root_.find_child(first)) walk(*c, levels, on_match, on_group);
  }

  // Number of subscriptions (ordinary plus shared memberships).
  std::size_t size() const {
    std::shared_lock lock(mutex_);
    return size_;
  }

  // Number of subscriptions of k.
  std::size_t count(key k) const {
    std::shared_lock lock(mutex_);
    const auto it = by_key_.find(k);
    return it == by_key_.end() ? 0 : it->second.size();
  }

  // Number of trie nodes below the root: O(nodes), for tests and metrics.
  std::size_t node_count() const {
    std::shared_lock lock(mutex_);
    return count_below(root_);
  }

 private:
  // [MQTT-4.8.2-2] a ShareName holds no '/', '+' or '#'; empty = not shared.
  static bool is_valid_group(std::string_view g) noexcept {
    return g.find_first_of(std::string_view("/+#\0", 4)) == std::string_view::npos;
  }

  // Reverse-map entry: group, NUL, filter (neither may contain U+0000).
  static std::string encode(std::string_view group, std::string_view filter) {
    std::string s;
    s.reserve(group.size() + 1 + filter.size());
    s.append(group).push_back('\0');
    s.append(filter);
    return s;
  }

  static shared_group<Value>& group_at(trie_node<Value>& n, std::string_view name) {
    if (shared_group<Value>* g = n.find_group(name)) return *g;
    n.groups.push_back(std::make_unique<shared_group<Value>>(name));
    return *n.groups.back();
  }

  // Removes one subscription from the trie (not from by_key_) and prunes the
  // nodes it leaves empty, deepest first. Caller holds the exclusive lock.
  bool remove(std::string_view filter, std::string_view share_group, key k) {
    std::vector<std::pair<trie_node<Value>*, std::string_view>> path;  // parent, level
    trie_node<Value>* n = &root_;
    level_cursor levels(filter);
    while (!levels.done()) {
      const std::string_view level = levels.next();
      trie_node<Value>* c = n->existing_child(level);
      if (c == nullptr) return false;
      path.emplace_back(n, level);
      n = c;
    }
    if (!remove_at(*n, share_group, k)) return false;
    --size_;
    for (auto it = path.rbegin(); it != path.rend() && n->empty(); ++it) {
      it->first->remove_child(it->second);  // frees n
      n = it->first;
    }
    return true;
  }

  static bool remove_at(trie_node<Value>& n, std::string_view share_group, key k) {
    if (share_group.empty()) return n.subscribers.erase(k);
    shared_group<Value>* g = n.find_group(share_group);
    if (g == nullptr || !g->erase(k)) return false;
    if (g->empty()) n.remove_group(g);
    return true;
  }

  static std::size_t count_below(const trie_node<Value>& n) {
    std::size_t total = 0;
    for (const auto& [level, c] : n.children) total += 1 + count_below(*c);
    if (n.plus) total += 1 + count_below(*n.plus);
    if (n.hash) total += 1 + count_below(*n.hash);
    return total;
  }

  template <class OnMatch, class OnGroup>
  static void deliver(const trie_node<Value>& n, OnMatch& on_match, OnGroup& on_group) {
    for (const subscriber<Value>& s : n.subscribers) on_match(s.key, s.value);
    for (const auto& g : n.groups) {
      group_view view(*g);
      on_group(g->name(), view);
    }
  }

  // Matches the levels left in `levels` below node n (n matched the level
  // before them). The exact-child descent is a loop; only '+' recurses.
  template <class OnMatch, class OnGroup>
  static void walk(const trie_node<Value>& start, level_cursor levels, OnMatch& on_match, OnGroup& on_group) {
    const trie_node<Value>* n = &start;
    for (;;) {
      // [MQTT-4.7.1-2] '#' matches this level's children, and this level itself.
      if (n->hash) deliver(*n->hash, on_match, on_group);
      if (levels.done()) {
        deliver(*n, on_match, on_group);
        return;
      }
      const std::string_view level = levels.next();
      // [MQTT-4.7.1-3] '+' matches any one level, including an empty one.
      if (n->plus) walk(*n->plus, levels, on_match, on_group);
      n = n->find_child(level);
      if (n == nullptr) return;
    }
  }

  mutable writer_priority_mutex mutex_;
  trie_node<Value> root_;
  std::size_t size_ = 0;
  std::unordered_map<key, std::unordered_set<std::string>> by_key_;
};

}  // namespace gridmq::topic
