// Write-combining of QoS 0 deliveries on one worker.
//
// While a connection's read batch is handled (client_connection::on_data),
// the QoS 0 PUBLISH packets it routes to one destination connection are
// gathered in a thread-local buffer and reach that connection's outbox in
// one push: one outbox lock and one wake-up of the destination's worker
// per run of messages instead of per message. Under load a read batch
// holds tens of messages, and the destination is often on another worker,
// where a lock or wake-up per message costs more than the delivery.
//
// Order: before anything else is pushed to a connection's outbox (a reply,
// a QoS 1 delivery, a reservation for a store write, a close), the outbox
// pushes the calling thread's run if it is for that connection, so what one
// worker sends to one connection keeps the order it was produced in, across
// QoS levels and packet types ([MQTT-4.6.0-6] holds for a publisher, whose
// packets are all read on one worker). Only QoS 0 packets are held: QoS 1/2
// packets take their place in the session's in-flight window under the
// session's lock, and another worker could send a later packet of that
// window before a held one.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "session/frame.hpp"

namespace gridmq::broker {

class outbox;

class push_batch {
 public:
  // Opens the calling thread's batch; nested scopes join the outer one.
  push_batch() noexcept;
  // Pushes what the batch holds (the outermost scope only).
  ~push_batch();
  push_batch(const push_batch&) = delete;
  push_batch& operator=(const push_batch&) = delete;

  // `frames` are QoS 0 deliveries for `to`: held when a batch is open on
  // this thread and they are small, pushed at once otherwise.
  static void push_qos0(const std::shared_ptr<outbox>& to, session::frame_list& frames);
  // Pushes the held run now.
  static void flush();
  // Pushes the held run if it is for `o` (the outbox calls this first in
  // every push, reserve and close).
  static void flush_if_for(const outbox* o);

  // A run is pushed when it reaches this many bytes; a packet larger than
  // small_frame is never copied into a run.
  static constexpr std::size_t run_limit = 64 * 1024;
  static constexpr std::size_t small_frame = 1024;
};

}  // namespace gridmq::broker
