// The generator's hot path on the wire, on top of the project's codec.
//
// Packets are encoded with protocol::encode once; a publisher then copies a
// prebuilt PUBLISH template per message and patches three fields in place
// (packet id, timestamp, sequence). Received PUBLISH and ack packets are
// cut with protocol::next_frame and read by the light parsers below, which
// look at only what the generator needs; every other packet goes through
// protocol::decode. (--verify decodes every packet with protocol::decode
// too and checks that both agree.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"

namespace gridmq::bench {

// Every payload of at least stamp_size bytes starts with a stamp: the
// CLOCK_MONOTONIC send time in ns, a sequence number, and a magic word so a
// subscriber can tell our payloads from anybody else's.
inline constexpr std::size_t stamp_size = 16;
inline constexpr std::uint32_t stamp_magic = 0x62716d67;  // "gmqb"

void write_stamp(std::uint8_t* payload, std::uint64_t send_ns, std::uint32_t seq) noexcept;
// The send time in a stamped payload; false when the payload has no stamp.
bool read_stamp(std::span<const std::uint8_t> payload, std::uint64_t& send_ns) noexcept;

// One publisher's PUBLISH, encoded once, patched per message.
struct publish_template {
  std::string bytes;
  std::size_t id_offset = 0;       // where the packet id sits; 0 for QoS 0
  std::size_t payload_offset = 0;  // where the payload starts
  std::size_t payload_size = 0;
};

publish_template make_publish_template(const std::string& topic, protocol::qos q, std::size_t payload_size,
                                       protocol::protocol_version version);

// PUBACK, PUBREC, PUBREL or PUBCOMP with success: four bytes, the short
// form that v5 allows too ([MQTT-3.4.2-1] reason code omitted = 0x00).
void append_ack(std::string& out, protocol::packet_type type, std::uint16_t packet_id);

struct publish_view {
  protocol::qos qos_level = protocol::qos::at_most_once;
  std::uint16_t packet_id = 0;
  std::string_view topic;
  std::span<const std::uint8_t> payload;
};

// Reads a PUBLISH body (what follows the fixed header). False when the
// lengths inside do not fit the body (a broken packet).
bool parse_publish(std::uint8_t first_byte, std::span<const std::uint8_t> body, protocol::protocol_version version,
                   publish_view& out) noexcept;

// The packet id of a PUBACK/PUBREC/PUBREL/PUBCOMP body, and its reason code
// (v5, 0x00 when omitted).
bool parse_ack(std::span<const std::uint8_t> body, std::uint16_t& packet_id, std::uint8_t& reason) noexcept;

}  // namespace gridmq::bench
