// One shared subscription group on one filter ("$share/{group}/{filter}",
// MQTT 5.0 section 4.8.2): its members in subscription order and a
// round-robin cursor.
//
// The cursor is a relaxed atomic so that workers matching under the index's
// shared lock can each advance it without a write lock; concurrent picks may
// interleave, which only blurs the rotation, never loses a member. Members are
// looked up linearly on subscribe/unsubscribe (groups are small; a group of n
// members costs O(n) per membership change).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "topic/subscriber_set.hpp"

namespace gridmq::topic {

template <class Value>
class shared_group {
 public:
  explicit shared_group(std::string_view name) : name_(name) {}
  shared_group(const shared_group&) = delete;
  shared_group& operator=(const shared_group&) = delete;

  std::string_view name() const noexcept { return name_; }
  std::size_t size() const noexcept { return members_.size(); }
  bool empty() const noexcept { return members_.empty(); }
  const subscriber<Value>& member(std::size_t i) const noexcept { return members_[i]; }

  // Adds k at the end, or replaces its value in place. True if k is new.
  bool upsert(subscriber_key k, Value v) {
    for (auto& m : members_) {
      if (m.key == k) {
        m.value = std::move(v);
        return false;
      }
    }
    members_.push_back(subscriber<Value>{k, std::move(v)});
    return true;
  }

  // Removes k, keeping the others in order. True if k was a member.
  bool erase(subscriber_key k) {
    for (auto it = members_.begin(); it != members_.end(); ++it) {
      if (it->key == k) {
        members_.erase(it);
        return true;
      }
    }
    return false;
  }

  // Takes the next position of the rotation (0 for an empty group).
  std::size_t next_index() const noexcept {
    if (members_.empty()) return 0;
    return cursor_.fetch_add(1, std::memory_order_relaxed) % members_.size();
  }

  // Moves the rotation on by n extra positions (members skipped by a pick).
  void advance(std::size_t n) const noexcept {
    if (n != 0) cursor_.fetch_add(n, std::memory_order_relaxed);
  }

 private:
  std::string name_;
  std::vector<subscriber<Value>> members_;
  mutable std::atomic<std::size_t> cursor_{0};
};

// What the broker sees of a matching group during subscription_index::match.
// Valid only inside the on_group callback (the index's shared lock is held).
template <class Value>
class shared_group_view {
 public:
  explicit shared_group_view(const shared_group<Value>& g) noexcept : g_(&g) {}

  std::string_view name() const noexcept { return g_->name(); }
  std::size_t size() const noexcept { return g_->size(); }
  // Members in subscription order; i < size().
  const subscriber<Value>& operator[](std::size_t i) const noexcept { return g_->member(i); }
  // Atomically takes the next round-robin position, in [0, size()).
  std::size_t next_index() const noexcept { return g_->next_index(); }

  // Picks one member round-robin, skipping those for which
  // usable(key, const Value&) is false (e.g. disconnected sessions). Every
  // member is tried at most once; nullptr if none is usable. Skipped members
  // move the cursor on too, so the next publish starts after the chosen one.
  template <class Usable>
  const subscriber<Value>* pick(Usable&& usable) const {
    const std::size_t n = g_->size();
    if (n == 0) return nullptr;
    const std::size_t start = g_->next_index();
    for (std::size_t step = 0; step < n; ++step) {
      const subscriber<Value>& m = g_->member((start + step) % n);
      if (usable(m.key, m.value)) {
        g_->advance(step);
        return &m;
      }
    }
    return nullptr;
  }

 private:
  const shared_group<Value>* g_;
};

}  // namespace gridmq::topic
