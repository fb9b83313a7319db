// The outbound queue of one connection, shared between the connection's
// worker (which drains it) and any worker that routes a message to it.
//
// Lock order: a session_slot's mutex may be held while pushing here; the
// outbox mutex is a leaf and is never held while taking another lock.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "broker/client_port.hpp"
#include "session/frame.hpp"

namespace gridmq::broker {

class outbox {
 public:
  explicit outbox(connection_sink& sink) : sink_(&sink) {}

  // Queues frames and wakes the connection (one wake-up per burst: the sink
  // coalesces them). Frames pushed after the sink is gone are dropped.
  void push(session::frame_list& frames);
  void push(session::frame&& f);
  // Moves everything queued into `out`.
  void drain(std::vector<outbound_chunk>& out);
  // Asks the transport to flush and close.
  void close();
  // The transport connection is gone: never touch the sink again.
  void detach_sink();
  std::size_t pending_bytes() const;

 private:
  mutable std::mutex mutex_;
  connection_sink* sink_;  // null after detach_sink()
  std::vector<outbound_chunk> chunks_;
  std::size_t bytes_ = 0;
  bool closing_ = false;
};

}  // namespace gridmq::broker
