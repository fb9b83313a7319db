#include "transport/deadline_queue.hpp"

#include <utility>

namespace gridmq::transport {

void deadline_queue::set(timed_object& who, clock::time_point when) {
  std::size_t i = who.deadline_slot_;
  if (who.deadline_slot_ == timed_object::no_slot) {
    heap_.push_back(entry{when, &who});
    who.deadline_slot_ = static_cast<std::uint32_t>(heap_.size() - 1);
    sift_up(heap_.size() - 1);
  } else {
    const bool earlier = when < heap_[i].when;
    heap_[i].when = when;
    if (earlier) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  }
  schedule();
}

void deadline_queue::cancel(timed_object& who) noexcept {
  const std::size_t i = who.deadline_slot_;
  if (who.deadline_slot_ == timed_object::no_slot || i >= heap_.size() || heap_[i].who != &who) return;
  remove_at(i);
  who.deadline_slot_ = timed_object::no_slot;
  // The timer may now wake up with nothing due; it then waits for the next.
}

void deadline_queue::shutdown() {
  // The context is going away: objects destroyed with its handlers must
  // find themselves disarmed.
  for (auto& e : heap_) e.who->deadline_slot_ = timed_object::no_slot;
  heap_.clear();
}

void deadline_queue::schedule() {
  if (heap_.empty()) return;
  const clock::time_point first = heap_.front().when;
  if (waiting_ && first >= armed_) return;  // the pending wait ends in time
  armed_ = first;
  waiting_ = true;
  timer_.expires_at(first);  // cancels a later pending wait (operation_aborted)
  timer_.async_wait([this](const error_code& ec) { on_timer(ec); });
}

void deadline_queue::on_timer(const error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // replaced by an earlier wait
  waiting_ = false;
  armed_ = clock::time_point::max();
  const clock::time_point now = clock::now();
  while (!heap_.empty() && heap_.front().when <= now) {
    timed_object* who = heap_.front().who;
    remove_at(0);
    who->deadline_slot_ = timed_object::no_slot;
    who->on_deadline();
  }
  schedule();
}

void deadline_queue::place(std::size_t i, entry e) noexcept {
  heap_[i] = e;
  e.who->deadline_slot_ = static_cast<std::uint32_t>(i);
}

void deadline_queue::remove_at(std::size_t i) noexcept {
  const std::size_t last = heap_.size() - 1;
  if (i != last) {
    place(i, heap_[last]);
    heap_.pop_back();
    sift_down(i);
    sift_up(i);
  } else {
    heap_.pop_back();
  }
}

void deadline_queue::sift_up(std::size_t i) noexcept {
  const entry e = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!(e.when < heap_[parent].when)) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void deadline_queue::sift_down(std::size_t i) noexcept {
  const entry e = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].when < heap_[child].when) ++child;
    if (!(heap_[child].when < e.when)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, e);
}

}  // namespace gridmq::transport
