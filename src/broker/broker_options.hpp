// Limits and switches of the broker, filled by app/ from the configuration.
// Defaults are the embedded defaults (Event Grid's limits where it has one).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "session/session.hpp"

namespace gridmq::broker {

using overflow_policy = session::overflow_policy;

struct broker_options {
  std::uint32_t max_packet_size = 512 * 1024;         // bytes, both ways
  std::uint32_t max_session_expiry = 3600;            // seconds; 3.1.1 persistent sessions get this
  std::uint32_t max_queued_messages = 100;            // per offline/backlogged session
  std::uint64_t max_queued_bytes = 1024 * 1024;       // per session, payload bytes
  overflow_policy session_overflow = overflow_policy::terminate;
  std::uint16_t max_inflight_messages = 1000;         // outbound window cap, below the client's Receive Maximum
  std::size_t max_outbound_bytes = 8 * 1024 * 1024;   // unsent bytes per connection before QoS 0 is dropped
  std::uint16_t receive_maximum = 100;                // broker's inbound QoS 1/2 window per client
  std::uint16_t max_keep_alive = 1160;                // seconds; larger requests are lowered (v5)
  std::uint16_t topic_alias_maximum = 10;             // inbound aliases per client
  std::uint8_t maximum_qos = 2;
  bool retain_available = true;
  std::uint16_t max_client_id_length = 128;
  std::uint32_t max_retained_messages = 100000;
  std::chrono::milliseconds connect_timeout{10000};
  bool allow_anonymous = true;
  std::string response_information_prefix = "responses/";  // Request Response Information
};

}  // namespace gridmq::broker
