// The ordinary (non-shared) subscribers of one trie node: the sessions whose
// filter ends exactly at that node.
//
// Matching walks the set on every PUBLISH, so it is a dense vector; order does
// not matter, so removal swaps with the last element. A fan-out filter can
// have 100k subscribers, so once the set is large a key -> position map keeps
// subscribe and unsubscribe O(1); small sets (the common case) skip the map
// and search linearly, which is faster and saves its memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gridmq::topic {

// The subscriber (session) id the broker gives the index.
using subscriber_key = std::uint64_t;

template <class Value>
struct subscriber {
  subscriber_key key;
  Value value;
};

template <class Value>
class subscriber_set {
 public:
  using const_iterator = typename std::vector<subscriber<Value>>::const_iterator;

  // Adds k, or replaces its value. Returns true if k was not in the set.
  bool upsert(subscriber_key k, Value v) {
    if (const std::size_t pos = find(k); pos != npos) {
      items_[pos].value = std::move(v);
      return false;
    }
    items_.push_back(subscriber<Value>{k, std::move(v)});
    if (!index_.empty()) {
      index_.emplace(k, items_.size() - 1);
    } else if (items_.size() > index_threshold) {
      build_index();
    }
    return true;
  }

  // Removes k. Returns true if it was there.
  bool erase(subscriber_key k) {
    const std::size_t pos = find(k);
    if (pos == npos) return false;
    if (pos + 1 != items_.size()) {
      items_[pos] = std::move(items_.back());
      if (!index_.empty()) index_[items_[pos].key] = pos;
    }
    items_.pop_back();
    if (!index_.empty()) {
      index_.erase(k);
      // Hysteresis: drop the map well below the threshold, not at it.
      if (items_.size() < index_threshold / 2) index_ = {};
    }
    return true;
  }

  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  const_iterator begin() const noexcept { return items_.begin(); }
  const_iterator end() const noexcept { return items_.end(); }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t index_threshold = 16;

  std::size_t find(subscriber_key k) const {
    if (!index_.empty()) {
      const auto it = index_.find(k);
      return it == index_.end() ? npos : it->second;
    }
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].key == k) return i;
    }
    return npos;
  }

  void build_index() {
    index_.reserve(items_.size() * 2);
    for (std::size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].key, i);
  }

  std::vector<subscriber<Value>> items_;
  std::unordered_map<subscriber_key, std::size_t> index_;  // empty while small
};

}  // namespace gridmq::topic
