#include "wire.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

namespace gridmq::bench {

void write_stamp(std::uint8_t* payload, std::uint64_t send_ns, std::uint32_t seq) noexcept {
  std::memcpy(payload, &send_ns, 8);
  std::memcpy(payload + 8, &seq, 4);
  std::memcpy(payload + 12, &stamp_magic, 4);
}

bool read_stamp(std::span<const std::uint8_t> payload, std::uint64_t& send_ns) noexcept {
  if (payload.size() < stamp_size) return false;
  std::uint32_t magic = 0;
  std::memcpy(&magic, payload.data() + 12, 4);
  if (magic != stamp_magic) return false;
  std::memcpy(&send_ns, payload.data(), 8);
  return true;
}

publish_template make_publish_template(const std::string& topic, protocol::qos q, std::size_t payload_size,
                                       protocol::protocol_version version) {
  protocol::publish p;
  p.qos_level = q;
  p.topic = topic;
  p.packet_id = q == protocol::qos::at_most_once ? 0 : 1;
  // Filler after the stamp: a visible byte, so a payload dump is readable.
  p.payload = std::make_shared<const std::string>(payload_size, 'x');
  publish_template t;
  protocol::encode(p, version, t.bytes);
  t.payload_size = payload_size;
  t.payload_offset = t.bytes.size() - payload_size;
  std::uint32_t remaining = 0;
  const auto* raw = reinterpret_cast<const std::uint8_t*>(t.bytes.data());
  const int used = protocol::read_varint({raw + 1, t.bytes.size() - 1}, remaining);
  if (used <= 0) throw std::logic_error("encoded PUBLISH has no valid fixed header");
  if (q != protocol::qos::at_most_once) {
    // Fixed header, then the topic (2-byte length + bytes), then the id (3.3.2).
    t.id_offset = 1 + static_cast<std::size_t>(used) + 2 + topic.size();
    if (raw[t.id_offset] != 0 || raw[t.id_offset + 1] != 1) throw std::logic_error("packet id not where expected");
  }
  return t;
}

void append_ack(std::string& out, protocol::packet_type type, std::uint16_t packet_id) {
  auto first = static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4);
  // [MQTT-3.6.1-1] PUBREL's fixed header flags are 0010.
  if (type == protocol::packet_type::pubrel) first |= 0x02;
  const char bytes[4] = {static_cast<char>(first), 2, static_cast<char>(packet_id >> 8),
                         static_cast<char>(packet_id & 0xFF)};
  out.append(bytes, 4);
}

bool parse_publish(std::uint8_t first_byte, std::span<const std::uint8_t> body, protocol::protocol_version version,
                   publish_view& out) noexcept {
  const std::size_t n = body.size();
  if (n < 2) return false;
  const std::size_t topic_len = (std::size_t{body[0]} << 8) | body[1];
  std::size_t pos = 2 + topic_len;
  if (pos > n) return false;
  out.topic = {reinterpret_cast<const char*>(body.data() + 2), topic_len};
  out.qos_level = static_cast<protocol::qos>((first_byte >> 1) & 0x03);
  if (out.qos_level != protocol::qos::at_most_once) {
    if (pos + 2 > n) return false;
    out.packet_id = static_cast<std::uint16_t>((body[pos] << 8) | body[pos + 1]);
    pos += 2;
  } else {
    out.packet_id = 0;
  }
  if (version == protocol::protocol_version::v5) {
    std::uint32_t props = 0;
    const int used = protocol::read_varint(body.subspan(pos), props);
    if (used <= 0) return false;
    pos += static_cast<std::size_t>(used);
    if (props > n - pos) return false;
    pos += props;
  }
  out.payload = body.subspan(pos);
  return true;
}

bool parse_ack(std::span<const std::uint8_t> body, std::uint16_t& packet_id, std::uint8_t& reason) noexcept {
  if (body.size() < 2) return false;
  packet_id = static_cast<std::uint16_t>((body[0] << 8) | body[1]);
  reason = body.size() > 2 ? body[2] : 0;
  return true;
}

}  // namespace gridmq::bench
