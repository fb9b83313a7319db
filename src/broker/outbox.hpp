// The outbound queue of one connection, shared between the connection's
// worker (which drains it) and any worker that routes a message to it, and
// the store's writer thread (which releases what waited for a commit).
//
// Order: frames leave in the order they were pushed. A frame that may only
// go out once a store commit is durable (a PUBACK, or a PUBLISH whose
// in-flight state must be on disk first) reserves its place with reserve()
// and is put there by fill() from the commit callback; everything pushed
// after a reservation waits behind it, so acknowledgements keep the order
// of the packets they answer ([MQTT-4.6.0-2]) whatever waits for the disk.
// Without reservations push() appends directly, as before.
//
// Lock order: a session_slot's mutex may be held while pushing here; the
// outbox mutex is a leaf and is never held while taking another lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "base/small_mutex.hpp"
#include "broker/client_port.hpp"
#include "protocol/reason_code.hpp"
#include "session/frame.hpp"

namespace gridmq::broker {

// What a transport is told when the broker closes with `code` (the v5
// DISCONNECT / CONNACK reason, also used for 3.1.1 closes that have none).
close_reason close_reason_of(protocol::reason_code code) noexcept;

class outbox {
 public:
  explicit outbox(connection_sink& sink) : sink_(&sink) {}

  // Queues frames and wakes the connection (one wake-up per burst: the sink
  // coalesces them). Frames pushed after the sink is gone are dropped.
  void push(session::frame_list& frames);
  void push(session::frame&& f);
  // Reserves the next place in the stream for frames known later; returns
  // the ticket to fill. Every reservation must be filled (possibly empty).
  std::uint64_t reserve();
  // Puts `frames` at the place of `ticket` (any thread). Frames reserved
  // before a close() are still sent.
  void fill(std::uint64_t ticket, session::frame_list& frames);
  // Wakes the connection with nothing new queued, so that it calls drain()
  // on its worker soon (broker_state::authorization_changed()).
  void wake();
  // Moves everything that may go out now into `out`.
  void drain(std::vector<outbound_chunk>& out);
  // Asks the transport to flush and close, once every reservation made
  // before is filled; `why` becomes the transport's close reason (the
  // WebSocket status code). Only the first close counts.
  void close(protocol::reason_code why = protocol::reason_code::success);
  // The transport connection is gone: never touch the sink again.
  void detach_sink();
  // Bytes queued and not yet drained; read without the lock (a QoS 0
  // delivery checks it per message), so a moment old.
  std::size_t pending_bytes() const noexcept;
  // The peer's name for log lines ("" once the sink is detached). Only on
  // the connection's worker, which is the one that detaches the sink, so
  // the read needs no lock.
  std::string_view peer() const noexcept { return sink_ != nullptr ? sink_->peer() : std::string_view{}; }

 private:
  // A reserved place (ticket != 0) or frames pushed behind one (ticket 0).
  struct segment {
    std::uint64_t ticket = 0;
    bool ready = false;
    std::vector<outbound_chunk> chunks;
  };
  // Everything queued, on the heap while anything is: an idle connection's
  // outbox is pointers, a counter and the lock (32 B). Given back by the
  // drain that leaves it holding no storage (the transport swapped in an
  // empty vector) and no reservation queue; kept otherwise, so that a busy
  // connection does not allocate per burst.
  struct queues {
    std::vector<outbound_chunk> ready;  // may go out now
    std::size_t ready_bytes = 0;
    // Segments from the first unfilled reservation on; created by the
    // first reserve() (only connections that wait for store commits have
    // one) and kept. Tickets are unique among the segments alive.
    std::unique_ptr<std::deque<segment>> held;
    std::size_t held_bytes = 0;
    std::uint64_t last_ticket = 0;
    bool has_held() const noexcept { return held && !held->empty(); }
  };
  static void append(std::vector<outbound_chunk>& to, std::size_t& bytes, session::frame&& f);
  bool has_held() const noexcept { return q_ && q_->has_held(); }
  // q_, created (or taken from the thread's spare) if needed (lock held).
  queues& q();
  static std::unique_ptr<queues>& spare_queues() noexcept;
  // Moves the filled segments at the front of the held queue to the ready
  // list (lock held); true if anything became ready to drain.
  bool release_ready();
  // Publishes the queued bytes for pending_bytes() (lock held).
  void note_pending() noexcept;

  connection_sink* sink_;  // null after detach_sink()
  std::unique_ptr<queues> q_;  // null: nothing queued, nothing reserved
  std::atomic<std::size_t> pending_{0};
  // The lock and the flags last, together: one word (base/small_mutex.hpp).
  mutable small_mutex mutex_;
  bool closing_ = false;       // no more pushes
  bool close_pending_ = false;  // close the sink when the held segments are gone
  close_reason close_why_ = close_reason::normal;
};

}  // namespace gridmq::broker
