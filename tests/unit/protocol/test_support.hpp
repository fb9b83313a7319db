// Helpers shared by the protocol tests: byte vectors, hex dumps, golden checks.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/packet_equal.hpp"

namespace gridmq::protocol::test {

using bytes = std::vector<std::uint8_t>;

inline std::string hex(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 0x0F];
  }
  return out;
}
inline std::string hex(const bytes& b) { return hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())); }

inline std::span<const std::uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline payload_ptr pl(std::string_view s) { return std::make_shared<const std::string>(s); }

// A packet with the right Remaining Length for `body` (body < 128 bytes).
inline bytes framed(std::uint8_t first_byte, const bytes& body) {
  bytes out{first_byte, static_cast<std::uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// decode(wire) must equal `expected`, and encode(expected) must give `wire` back.
inline void expect_golden(const bytes& wire, protocol_version v, const packet& expected) {
  auto decoded = decode(wire, v);
  ASSERT_TRUE(decoded.has_value()) << "decode failed: " << to_string(decoded.error().code) << " ("
                                   << decoded.error().what << ") on " << hex(wire);
  EXPECT_TRUE(equal_content(*decoded, expected)) << "decoded fields differ for " << hex(wire);
  std::string out;
  encode(expected, v, out);
  EXPECT_EQ(hex(out), hex(wire));
  if (const auto* p = std::get_if<publish>(&expected)) {
    std::string header;
    encode_publish_header(*p, v, header);
    if (p->payload) header += *p->payload;
    EXPECT_EQ(hex(header), hex(wire)) << "encode_publish_header + payload";
  }
}

// decode(wire) must succeed and equal `expected` (a non-canonical form, so
// no re-encoding check).
inline void expect_decodes_to(const bytes& wire, protocol_version v, const packet& expected) {
  auto decoded = decode(wire, v);
  ASSERT_TRUE(decoded.has_value()) << "decode failed: " << to_string(decoded.error().code) << " ("
                                   << decoded.error().what << ") on " << hex(wire);
  EXPECT_TRUE(equal_content(*decoded, expected)) << "decoded fields differ for " << hex(wire);
}

}  // namespace gridmq::protocol::test
