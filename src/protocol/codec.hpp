// The MQTT codec: framing, decoding and encoding. Pure functions, no I/O.
//
// Decoding is total: any byte string yields a packet or a decode_error that
// carries the reason code the specification names for the fault
// (0x81 Malformed Packet, 0x82 Protocol Error, 0x95 Packet Too Large, ...).
//
// Encoding appends the packet's bytes to a caller-owned buffer. For PUBLISH,
// encode_publish_header() writes everything except the payload, so that a
// connection can send the header and the shared payload with one gathered
// write; encode() writes whole packets (payload included), for tests and for
// the non-PUBLISH packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "protocol/packet.hpp"

namespace gridmq::protocol {

struct decode_error {
  reason_code code = reason_code::malformed_packet;
  std::string_view what;  // static text naming the rule, for logs
};

// Where the next whole packet sits in a byte stream.
struct frame {
  std::uint8_t first_byte = 0;   // packet type and flags
  std::size_t header_size = 0;   // fixed header: 1 + length of the varint
  std::size_t remaining = 0;     // Remaining Length
  std::size_t total() const noexcept { return header_size + remaining; }
};

enum class frame_status { complete, incomplete, error };

struct frame_result {
  frame_status status = frame_status::incomplete;
  frame f;
  decode_error error;
};

// Looks at the start of `bytes`. complete: a whole packet of f.total() bytes
// is there. incomplete: read more. error: malformed varint (0x81) or the
// packet exceeds max_packet_size (0x95), known as soon as the length is read.
frame_result next_frame(std::span<const std::uint8_t> bytes, std::uint32_t max_packet_size) noexcept;

// Decodes one whole packet (fixed header included, as cut by next_frame).
// `version` is the connection's negotiated version; for CONNECT it is ignored
// (the version comes from the packet itself).
result<packet, decode_error> decode(std::span<const std::uint8_t> whole_packet, protocol_version version);

// A PUBLISH decoded without copying anything: topic and payload are views
// into the caller's buffer, valid while it is. The broker's hot path builds
// its shared message straight from this (one copy of the payload, no packet
// variant in between). Same checks and errors as decode().
struct publish_in {
  bool dup = false;
  qos qos_level = qos::at_most_once;
  bool retain = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  // only when qos > 0
  properties props;             // v5
  std::string_view payload;
};
// Decodes one whole PUBLISH packet (fixed header included, first byte of
// type 3). False with `error` set when it is malformed.
bool decode_publish(std::span<const std::uint8_t> whole_packet, protocol_version version, publish_in& out,
                    decode_error& error);

// Variable Byte Integer (1.5.5): append, and read (returns bytes used, 0 if
// incomplete, -1 if malformed).
void append_varint(std::string& out, std::uint32_t value);
int read_varint(std::span<const std::uint8_t> bytes, std::uint32_t& value) noexcept;
std::size_t varint_size(std::uint32_t value) noexcept;

// Appends the whole packet encoded for `version` (for CONNECT too: the
// argument, not connect::version, picks the protocol name and level).
// Properties a packet may not carry, and fields a version lacks, are left out.
void encode(const packet& p, protocol_version version, std::string& out);

// Appends a PUBLISH's fixed header, variable header and properties; the
// caller sends p.payload after it. The Remaining Length counts the payload.
void encode_publish_header(const publish& p, protocol_version version, std::string& out);

// The number of bytes encode_publish_header() appends, computed without
// encoding (for Maximum Packet Size checks: add the payload size).
std::size_t publish_header_size(const publish& p, protocol_version version) noexcept;

// One delivery of a stored message, described without copying it: the
// fields that differ per subscriber (QoS, flags, packet id, subscription
// identifiers, remaining expiry, topic alias) beside views of the shared
// topic and forwarded properties. Encodes exactly what
// encode_publish_header() would for the equivalent `publish`.
struct publish_view {
  std::string_view topic;               // empty when a known topic alias replaces it
  qos qos_level = qos::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;
  const properties* forwarded = nullptr;  // v5 only; must not hold the per-delivery properties below
  std::span<const std::uint32_t> subscription_ids;
  std::optional<std::uint32_t> message_expiry_interval;
  std::uint16_t topic_alias = 0;        // 0: none
  std::size_t payload_size = 0;
};

void encode_publish_header(const publish_view& p, protocol_version version, std::string& out);
std::size_t publish_header_size(const publish_view& p, protocol_version version) noexcept;

}  // namespace gridmq::protocol
