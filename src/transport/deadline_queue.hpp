// One timer per worker for the deadlines of all its connections (idle /
// keep-alive, CONNECT timeout, close timeout).
//
// Why: an Asio timer per connection costs its object (80 B) plus a pending
// wait operation (about 90 B with the allocator's overhead) for every idle
// client. Here a connection costs one 16-byte heap entry and its index; the
// worker's single steady_timer waits for the earliest deadline.
//
// Design: an indexed binary min-heap of (deadline, object); each object
// knows its slot, so moving or cancelling a deadline is O(log n) and nothing
// stale stays behind. Due objects are taken off the heap before they are
// called, so on_deadline() may set a new deadline.
//
// Threads: an Asio service of the worker's io_context; set() and cancel()
// only on that worker's thread (a connection's handlers), like on_deadline()
// calls. An object must cancel() before it is destroyed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "transport/asio.hpp"

namespace gridmq::transport {

class deadline_queue;

// What the queue calls when a deadline passes.
class timed_object {
 public:
  virtual void on_deadline() = 0;

 protected:
  timed_object() = default;
  ~timed_object() = default;
  timed_object(const timed_object&) = delete;
  timed_object& operator=(const timed_object&) = delete;

 private:
  friend class deadline_queue;
  // 32 bits: a worker never holds 4 billion connections, and the object's
  // derived class may use the other half of the word.
  static constexpr std::uint32_t no_slot = UINT32_MAX;
  std::uint32_t deadline_slot_ = no_slot;
};

class deadline_queue final : public asio::execution_context::service {
 public:
  using clock = std::chrono::steady_clock;
  using key_type = deadline_queue;
  static inline asio::execution_context::id id;

  explicit deadline_queue(asio::io_context& ctx) : service(ctx), timer_(ctx.get_executor()) {}

  // Arms `who`'s deadline, or moves it if armed.
  void set(timed_object& who, clock::time_point when);
  // Disarms `who`'s deadline, if armed.
  void cancel(timed_object& who) noexcept;
  std::size_t size() const noexcept { return heap_.size(); }

 private:
  struct entry {
    clock::time_point when;
    timed_object* who;
  };

  void shutdown() override;
  void schedule();
  void on_timer(const error_code& ec);
  void place(std::size_t i, entry e) noexcept;
  void remove_at(std::size_t i) noexcept;
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;

  std::vector<entry> heap_;
  steady_timer timer_;
  clock::time_point armed_ = clock::time_point::max();  // when the pending wait ends
  bool waiting_ = false;
};

}  // namespace gridmq::transport
