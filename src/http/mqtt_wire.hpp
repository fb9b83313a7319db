// The client side of the few MQTT 5.0 packets the HTTP endpoints speak to the
// broker through a client_port: CONNECT, PUBLISH, SUBSCRIBE, acks, PINGREQ,
// DISCONNECT out; CONNACK, PUBACK, SUBACK, PUBLISH, PUBREL, PINGRESP,
// DISCONNECT in. http/ may not include protocol/ (DESIGN.md's arrows), and
// needs only this small, total subset. Decoding never reads out of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/publish_request.hpp"

namespace gridmq::http::wire {

std::string connect(std::string_view client_id, const std::optional<std::string>& username,
                    const std::optional<std::string>& password);
std::string publish(const publish_request& r, std::uint16_t packet_id);
std::string subscribe(std::uint16_t packet_id, std::string_view filter, std::uint8_t max_qos);
std::string ack(std::uint8_t type_nibble, std::uint16_t packet_id);  // PUBACK 4, PUBREC 5, PUBCOMP 7
std::string pingreq();
std::string disconnect();

// The size of the PUBLISH that publish() builds, to compare with the
// broker's Maximum Packet Size before sending.
std::size_t publish_size(const publish_request& r);

struct packet {
  std::uint8_t type = 0;   // high nibble of the first byte
  std::uint8_t flags = 0;  // low nibble
  std::uint8_t reason = 0;  // CONNACK, PUBACK, DISCONNECT, first SUBACK code
  std::uint16_t packet_id = 0;
  std::uint32_t maximum_packet_size = 0;  // CONNACK property, 0: none
  // PUBLISH
  std::string topic;
  std::string payload;
  std::optional<std::uint32_t> message_expiry;
};

enum class cut_status : std::uint8_t { incomplete, done, malformed };
struct cut_result {
  cut_status st = cut_status::incomplete;
  std::size_t length = 0;  // done: bytes of the packet
  packet p;
};

// Decodes the first whole packet of `data`.
cut_result cut(std::span<const std::uint8_t> data);

}  // namespace gridmq::http::wire
