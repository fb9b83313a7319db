// PROXY protocol v1 (text) and v2 (binary) headers as HAProxy sends them:
// complete, split at every byte, followed by the next layer's bytes, and
// malformed.
#include "transport/proxy_protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gridmq::transport {
namespace {

using status = proxy_header::status;

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

proxy_header parse(const std::vector<std::uint8_t>& b) { return parse_proxy_header(b); }

std::vector<std::uint8_t> v2(std::uint8_t ver_cmd, std::uint8_t fam, std::vector<std::uint8_t> body) {
  std::vector<std::uint8_t> out{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, ver_cmd, fam,
                                static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  // (A loop, not insert(): GCC 12 reports a false -Warray-bounds on insert here.)
  for (std::uint8_t b : body) out.push_back(b);
  return out;
}

TEST(proxy_v1, tcp4_with_trailing_data) {
  const std::string line = "PROXY TCP4 203.0.113.7 10.0.0.1 51234 1883\r\n";
  const auto h = parse(bytes(line + "\x10\x0c"));
  ASSERT_EQ(h.st, status::done) << h.error;
  EXPECT_EQ(h.length, line.size());
  EXPECT_EQ(h.source, "203.0.113.7:51234");
}

TEST(proxy_v1, tcp6_and_unknown) {
  auto h = parse(bytes("PROXY TCP6 2001:db8::1 2001:db8::2 443 8883\r\n"));
  ASSERT_EQ(h.st, status::done) << h.error;
  EXPECT_EQ(h.source, "[2001:db8::1]:443");
  h = parse(bytes("PROXY UNKNOWN\r\n"));
  ASSERT_EQ(h.st, status::done);
  EXPECT_EQ(h.source, "");
  EXPECT_EQ(h.length, 15u);
}

TEST(proxy_v1, incomplete_at_every_split) {
  const std::string line = "PROXY TCP4 203.0.113.7 10.0.0.1 51234 1883\r\n";
  for (std::size_t n = 1; n < line.size(); ++n) {
    EXPECT_EQ(parse(bytes(line.substr(0, n))).st, status::incomplete) << n;
  }
}

TEST(proxy_v1, malformed) {
  for (const char* text : {"GET / HTTP/1.1\r\n", "\x10\x0c\x00\x04MQTT", "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n",
                           "PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 1 65536\r\n",
                           "PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n",
                           "PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n", "PROXY TCP4 ::1 1.2.3.4 1 2\r\n"}) {
    EXPECT_EQ(parse(bytes(text)).st, status::invalid) << text;
  }
  // No CRLF within 107 bytes.
  EXPECT_EQ(parse(bytes("PROXY TCP4 " + std::string(120, '1'))).st, status::invalid);
}

TEST(proxy_v2, tcp4_and_tcp6) {
  auto h = parse(v2(0x21, 0x11, {203, 0, 113, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x07, 0x5B}));
  ASSERT_EQ(h.st, status::done) << h.error;
  EXPECT_EQ(h.length, 28u);
  EXPECT_EQ(h.source, "203.0.113.7:51234");
  std::vector<std::uint8_t> body(36, 0);
  body[0] = 0x20;
  body[1] = 0x01;
  body[2] = 0x0d;
  body[3] = 0xb8;
  body[15] = 1;
  body[32] = 0x01;
  body[33] = 0xBB;
  h = parse(v2(0x21, 0x21, body));
  ASSERT_EQ(h.st, status::done) << h.error;
  EXPECT_EQ(h.source, "[2001:db8::1]:443");
}

TEST(proxy_v2, tlvs_are_skipped_and_local_keeps_the_socket_peer) {
  auto h = parse(v2(0x21, 0x11, {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2, 0x04, 0x00, 0x01, 0xAA}));
  ASSERT_EQ(h.st, status::done);
  EXPECT_EQ(h.length, 32u);
  EXPECT_EQ(h.source, "1.2.3.4:1");
  h = parse(v2(0x20, 0x00, {}));
  ASSERT_EQ(h.st, status::done);
  EXPECT_EQ(h.source, "");
  h = parse(v2(0x21, 0x00, {}));  // PROXY over UNSPEC
  ASSERT_EQ(h.st, status::done);
  EXPECT_EQ(h.source, "");
}

TEST(proxy_v2, incomplete_and_malformed) {
  const auto full = v2(0x21, 0x11, {203, 0, 113, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x07, 0x5B});
  for (std::size_t n = 1; n < full.size(); ++n) {
    EXPECT_EQ(parse({full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)}).st, status::incomplete) << n;
  }
  EXPECT_EQ(parse(v2(0x11, 0x11, {})).st, status::invalid);           // version 1 in a v2 signature
  EXPECT_EQ(parse(v2(0x22, 0x11, {})).st, status::invalid);           // command 2
  EXPECT_EQ(parse(v2(0x21, 0x11, {1, 2, 3})).st, status::invalid);    // address block too short
  EXPECT_EQ(parse(v2(0x21, 0x11, std::vector<std::uint8_t>(2000))).st, status::invalid);  // too long
  auto bad = full;
  bad[5] = 0x0E;  // signature
  EXPECT_EQ(parse(bad).st, status::invalid);
}

}  // namespace
}  // namespace gridmq::transport
