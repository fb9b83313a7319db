// Variable Byte Integer boundaries (1.5.5) and next_frame().
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

struct varint_case {
  std::uint32_t value;
  bytes wire;
};

TEST(Varint, Boundaries) {
  const varint_case cases[] = {
      {0, {0x00}},
      {127, {0x7F}},
      {128, {0x80, 0x01}},
      {16383, {0xFF, 0x7F}},
      {16384, {0x80, 0x80, 0x01}},
      {2097151, {0xFF, 0xFF, 0x7F}},
      {2097152, {0x80, 0x80, 0x80, 0x01}},
      {268435455, {0xFF, 0xFF, 0xFF, 0x7F}},
  };
  for (const varint_case& c : cases) {
    std::string out;
    append_varint(out, c.value);
    EXPECT_EQ(hex(out), hex(c.wire)) << c.value;
    EXPECT_EQ(varint_size(c.value), c.wire.size()) << c.value;
    std::uint32_t v = 12345;
    EXPECT_EQ(read_varint(c.wire, v), static_cast<int>(c.wire.size())) << c.value;
    EXPECT_EQ(v, c.value);
  }
}

TEST(Varint, FiveBytesIsMalformed) {
  std::uint32_t v = 0;
  EXPECT_EQ(read_varint(bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, v), -1);
  EXPECT_EQ(read_varint(bytes{0x80, 0x80, 0x80, 0x80, 0x00}, v), -1);
}

TEST(Varint, IncompleteNeedsMoreBytes) {
  std::uint32_t v = 0;
  EXPECT_EQ(read_varint(bytes{}, v), 0);
  EXPECT_EQ(read_varint(bytes{0x80}, v), 0);
  EXPECT_EQ(read_varint(bytes{0xFF, 0xFF, 0xFF}, v), 0);
}

TEST(Varint, NonMinimalEncodingIsRead) {
  // [MQTT-1.5.5-1] binds the sender; the value is still well defined.
  std::uint32_t v = 99;
  EXPECT_EQ(read_varint(bytes{0x80, 0x00}, v), 2);
  EXPECT_EQ(v, 0u);
}

TEST(NextFrame, Complete) {
  const bytes stream{0xC0, 0x00, 0xD0};  // PINGREQ, then the start of another packet
  const auto r = next_frame(stream, 1024);
  ASSERT_EQ(r.status, frame_status::complete);
  EXPECT_EQ(r.f.first_byte, 0xC0);
  EXPECT_EQ(r.f.header_size, 2u);
  EXPECT_EQ(r.f.remaining, 0u);
  EXPECT_EQ(r.f.total(), 2u);
}

TEST(NextFrame, Incomplete) {
  EXPECT_EQ(next_frame(bytes{}, 1024).status, frame_status::incomplete);
  EXPECT_EQ(next_frame(bytes{0x30}, 1024).status, frame_status::incomplete);
  EXPECT_EQ(next_frame(bytes{0x30, 0x80}, 1024).status, frame_status::incomplete);  // varint continues
  const auto r = next_frame(bytes{0x30, 0x05, 0x00, 0x01}, 1024);
  EXPECT_EQ(r.status, frame_status::incomplete);
  EXPECT_EQ(r.f.total(), 7u);  // the caller knows how much to wait for
}

TEST(NextFrame, MultiByteLength) {
  bytes stream{0x30, 0x80, 0x01};  // Remaining Length 128
  stream.resize(3 + 128, 0x00);
  const auto r = next_frame(stream, 1024);
  ASSERT_EQ(r.status, frame_status::complete);
  EXPECT_EQ(r.f.header_size, 3u);
  EXPECT_EQ(r.f.total(), 131u);
}

TEST(NextFrame, FiveByteLengthIsMalformed) {
  const auto r = next_frame(bytes{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 1u << 30);
  ASSERT_EQ(r.status, frame_status::error);
  EXPECT_EQ(r.error.code, reason_code::malformed_packet);
}

TEST(NextFrame, TooLargeIsKnownFromTheHeader) {
  // Only the header has arrived; the 0x95 answer does not wait for the body.
  const auto r = next_frame(bytes{0x30, 0xFF, 0xFF, 0xFF, 0x7F}, 1024);
  ASSERT_EQ(r.status, frame_status::error);
  EXPECT_EQ(r.error.code, reason_code::packet_too_large);
  // The limit counts the whole packet, fixed header included.
  EXPECT_EQ(next_frame(bytes{0xC0, 0x00}, 2).status, frame_status::complete);
  EXPECT_EQ(next_frame(bytes{0xC0, 0x01, 0x00}, 2).status, frame_status::error);
}

}  // namespace
}  // namespace gridmq::protocol::test
