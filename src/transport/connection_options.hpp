// Tunables of one TCP connection, filled by app/.
#pragma once

#include <chrono>
#include <cstddef>

namespace gridmq::transport {

struct connection_options {
  // The read buffer starts here and grows only to what the broker says the
  // next packet needs (data_result::need), which the broker bounds by the
  // maximum packet size; idle connections shrink back to this size.
  std::size_t initial_read_buffer = 4096;
  // Growth cap for the case the broker gives no size hint (need == 0) and the
  // buffer is full: the largest MQTT packet plus its fixed header.
  std::size_t max_read_buffer = 268435455 + 5;
  // After close(): how long queued output may take to reach the peer (and the
  // peer to answer our FIN) before the socket is closed hard.
  std::chrono::milliseconds close_timeout{5000};
  // TCP_NODELAY ([listener] no_delay, on by default in the config; off here
  // for connections made without one, such as unit tests). On, the
  // broker paces its writes itself (write_pacing, write_pacer.hpp); off,
  // Nagle and the peer's delayed ACKs do (bench/NOTES.md "Nagle, delayed
  // ACKs and latency under load").
  bool no_delay = false;
  // With no_delay: the least time between two writes of one connection
  // ([listener] write_pacing, microseconds; 0 = write whenever output is
  // ready). Output that comes sooner waits for the rest of the interval and
  // leaves with whatever joined it (write_pacer.hpp).
  std::chrono::microseconds write_pacing{0};
};

}  // namespace gridmq::transport
