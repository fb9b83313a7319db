// Appending MQTT primitives (section 1.5) to an output buffer. The encoders
// compute the exact size first and reserve() once, so these only append.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gridmq::protocol {

// Longest string or binary field: its length is a two-byte integer.
inline constexpr std::size_t max_field_length = 65535;

inline void append_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

inline void append_u16(std::string& out, std::uint16_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
  out.append(b, 2);
}

inline void append_u32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
                     static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
  out.append(b, 4);
}

// A field longer than the format allows is a caller bug; it is cut to
// 65535 bytes so the frame stays self-consistent instead of corrupt.
inline std::string_view clamp_field(std::string_view s) noexcept { return s.substr(0, max_field_length); }

// Size on the wire of a length-prefixed string or binary field.
inline std::size_t field_size(std::string_view s) noexcept { return 2 + clamp_field(s).size(); }

// UTF-8 string or binary data: two-byte length, then the bytes.
inline void append_field(std::string& out, std::string_view s) {
  s = clamp_field(s);
  append_u16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

}  // namespace gridmq::protocol
