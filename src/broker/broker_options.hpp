// Limits and switches of the broker, filled by app/ from the configuration.
// Defaults are the embedded defaults (Event Grid's limits where it has one).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "session/session.hpp"

namespace gridmq::broker {

using overflow_policy = session::overflow_policy;

// How a $share group picks the member for each message.
enum class shared_strategy : std::uint8_t { round_robin, random };

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
  // Features a deployment may switch off; CONNACK advertises them truthfully
  // and SUBSCRIBE answers 0x9E / 0xA2 / 0xA1 when they are off.
  bool shared_subscription_available = true;
  bool wildcard_subscription_available = true;
  bool subscription_identifier_available = true;
  shared_strategy shared_subscription_strategy = shared_strategy::round_robin;
  // Answer 0x99 to a PUBLISH marked as UTF-8 (Payload Format Indicator 1)
  // whose payload is not ([MQTT-3.3.2-4] allows the check).
  bool validate_utf8_payload = false;
  std::uint32_t max_subscriptions_per_session = 50;   // Event Grid's limit; SUBACK 0x97 past it
  std::uint32_t max_topic_length = 256;               // bytes, topic names and filters (Event Grid)
  std::uint32_t max_topic_levels = 15;                // levels, topic names and filters (Event Grid)
  std::string response_information_prefix = "responses/";  // Request Response Information
};

}  // namespace gridmq::broker
