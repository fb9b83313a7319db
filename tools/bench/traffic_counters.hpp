// What every client of a run adds to: one set of counters and histograms,
// owned by the runner, written by the clients (one thread, no atomics).
#pragma once

#include <cstdint>

#include "latency_histogram.hpp"

namespace gridmq::bench {

struct traffic_counters {
  std::uint64_t connected = 0;        // CONNACK success
  std::uint64_t connect_failed = 0;   // refused, reset, timeout or CONNACK error
  std::uint64_t session_present = 0;  // CONNACKs with Session Present = 1
  std::uint64_t subscribed = 0;       // SUBACKs that granted the subscription
  std::uint64_t lost = 0;             // connections ended by the broker or an error after CONNACK
  std::uint64_t closed = 0;           // connections closed by us or after our DISCONNECT
  std::uint64_t protocol_errors = 0;  // packets we could not read, or did not expect
  std::uint64_t published = 0;        // PUBLISH packets written
  std::uint64_t acked = 0;            // PUBACK (QoS 1) / PUBCOMP (QoS 2) received
  std::uint64_t ack_errors = 0;       // acks with a reason code >= 0x80
  std::uint64_t received = 0;         // PUBLISH packets received
  std::uint64_t last_receive_ns = 0;
  std::uint64_t last_ack_ns = 0;
  std::uint64_t messages_printed = 0;  // error lines printed (capped, see mqtt_client::report)

  latency_histogram latency;           // end to end, the whole measured phase
  latency_histogram interval_latency;  // since the last progress line
  latency_histogram connect_latency;   // connect() to CONNACK
};

}  // namespace gridmq::bench
