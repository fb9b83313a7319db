// Spaces out one worker's writes per connection when TCP_NODELAY is on
// ([listener] write_pacing).
//
// Why: with Nagle off every write is a TCP segment at once. At high rates a
// connection would then send a small segment per loop turn, and each costs
// both ends a wake-up and an ACK (bench/NOTES.md: six times the CPU per
// message, and the congestion window stalls on them). With Nagle on, the
// receiver's delayed ACKs hold data for milliseconds. A connection that wrote
// less than the pacing interval ago instead waits here for the rest of it:
// a lone message still leaves at once, a stream leaves in one segment per
// interval per connection, and no byte waits longer than the interval.
//
// Threads: an Asio service of the worker's io_context, used only on the
// worker's thread. One timer for all the worker's waiting connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "transport/asio.hpp"

#include <boost/smart_ptr/intrusive_ptr.hpp>

namespace gridmq::transport {

class write_pacer final : public asio::execution_context::service {
 public:
  using key_type = write_pacer;
  using clock = std::chrono::steady_clock;
  static inline asio::execution_context::id id;

  // A connection whose output becomes ready more often than every
  // stream_gap_us on average (a moving average, gaps counted up to
  // idle_gap_us) is streaming: its output is held up to the pacing interval.
  // Slower output (a reply, messages at a low rate) leaves at once.
  static constexpr std::uint32_t stream_gap_us = 50;
  static constexpr std::uint32_t idle_gap_us = 10000;
  // Output that follows a gap this long comes at under ~1,000 writes a
  // second: the connection frees its write lists after such a write (an idle
  // client keeps none), since a malloc per write costs nothing at that rate.
  static constexpr std::uint32_t quiet_gap_us = 1000;
  // Held output this large leaves at once: a segment's worth (the loopback
  // MSS is 64 KiB), so pacing never makes a busy stream's writes smaller
  // than Nagle would.
  static constexpr std::size_t full_write = 64 * 1024;

  explicit write_pacer(asio::execution_context& ctx) : service(ctx) {}

  // Calls `w->paced_flush()` once, at `due` or soon after (the pacer keeps `w`
  // alive until then). Every connection waiting when the timer fires is
  // released together: the interval is a floor per connection, not a schedule.
  // A template, not a virtual call: a connection pays no vtable pointer for
  // it. `Writer` is counted intrusively (boost::intrusive_ptr's functions).
  template <class Writer>
  void defer(const executor& ex, boost::intrusive_ptr<Writer> w, clock::time_point due) {
    add(ex,
        waiter{w.get(), [](void* p) { static_cast<Writer*>(p)->paced_flush(); },
               [](void* p) noexcept { intrusive_ptr_release(static_cast<Writer*>(p)); }},
        due);
    (void)w.detach();  // the waiter holds the reference now
  }

 private:
  struct waiter {
    void* self;  // holds one reference, given back by drop()
    void (*flush)(void*);
    void (*drop)(void*) noexcept;
  };

  void add(const executor& ex, waiter w, clock::time_point due);
  void shutdown() override;
  void arm(clock::time_point due);
  void fire();

  std::optional<steady_timer> timer_;  // made on first use, with the worker's executor
  std::vector<waiter> waiting_;
  std::vector<waiter> firing_;  // reused between fires
  std::optional<clock::time_point> armed_for_;
};

}  // namespace gridmq::transport
