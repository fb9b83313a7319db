// A frame list lent by the calling thread for one call: the scratch that a
// delivery or an acknowledgement fills and empties.
//
// Why: a busy connection must not allocate a list per message, and an idle
// one should not carry an empty list (24 B) for the time it is busy. One
// list per worker thread serves every connection of that worker, since a
// worker handles one packet at a time. A scratch taken while the thread's
// list is already lent (not expected; it would be a nested handler) gets a
// list of its own instead of sharing one that is in use.
//
// Threads: a frame_scratch belongs to the thread that made it and ends in
// the scope that made it.
#pragma once

#include "session/frame.hpp"

namespace gridmq::broker {

class frame_scratch {
 public:
  frame_scratch() noexcept;
  // Empties the list (keeping a modest capacity) and gives it back.
  ~frame_scratch();
  frame_scratch(const frame_scratch&) = delete;
  frame_scratch& operator=(const frame_scratch&) = delete;

  // Empty when lent.
  session::frame_list& list() noexcept { return *list_; }
  // Whether this scratch got the thread's list (false: its own).
  bool is_shared() const noexcept { return list_ != &own_; }

  // Capacity a returned list keeps; a burst beyond it gives the rest back.
  static constexpr std::size_t kept_capacity = 64;

 private:
  session::frame_list* list_;
  session::frame_list own_;
};

}  // namespace gridmq::broker
