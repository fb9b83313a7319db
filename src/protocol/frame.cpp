// Framing: Variable Byte Integers (1.5.5) and cutting whole packets out of
// a byte stream by their fixed header (2.1).
#include "protocol/codec.hpp"

namespace gridmq::protocol {

namespace {
constexpr std::size_t max_varint_bytes = 4;
}  // namespace

void append_varint(std::string& out, std::uint32_t value) {
  do {
    auto byte = static_cast<std::uint8_t>(value & 0x7F);
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (value != 0);
}

std::size_t varint_size(std::uint32_t value) noexcept {
  if (value < 128) return 1;
  if (value < 16384) return 2;
  if (value < 2097152) return 3;
  return 4;
}

int read_varint(std::span<const std::uint8_t> bytes, std::uint32_t& value) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < max_varint_bytes; ++i) {
    if (i == bytes.size()) return 0;
    v |= std::uint32_t{bytes[i] & 0x7Fu} << (7 * i);
    if ((bytes[i] & 0x80) == 0) {
      value = v;
      return static_cast<int>(i + 1);
    }
  }
  return -1;  // a fifth byte would be needed: Malformed (1.5.5)
}

frame_result next_frame(std::span<const std::uint8_t> bytes, std::uint32_t max_packet_size) noexcept {
  frame_result r;
  if (bytes.empty()) return r;
  std::uint32_t remaining = 0;
  const int used = read_varint(bytes.subspan(1), remaining);
  if (used == 0) return r;
  if (used < 0) {
    r.status = frame_status::error;
    r.error = {reason_code::malformed_packet, "[1.5.5] remaining length longer than 4 bytes"};
    return r;
  }
  r.f.first_byte = bytes[0];
  r.f.header_size = 1 + static_cast<std::size_t>(used);
  r.f.remaining = remaining;
  // [MQTT-3.2.2-15] [MQTT-3.1.2-24] a packet over the Maximum Packet Size
  // is refused as soon as its length is known, before it is buffered.
  if (r.f.total() > max_packet_size) {
    r.status = frame_status::error;
    r.error = {reason_code::packet_too_large, "packet exceeds the maximum packet size"};
    return r;
  }
  r.status = bytes.size() >= r.f.total() ? frame_status::complete : frame_status::incomplete;
  return r;
}

}  // namespace gridmq::protocol
