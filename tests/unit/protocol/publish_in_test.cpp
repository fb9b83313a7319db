// decode_publish(whole, version, publish_in&): the broker's in-place PUBLISH
// decoder must agree with decode() on every packet: same fields (as views
// into the input), same acceptance, same reason code on a fault.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "protocol/codec.hpp"

namespace gridmq::protocol {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void expect_agrees(const std::string& wire, protocol_version v) {
  const auto whole = bytes_of(wire);
  const auto ref = decode(whole, v);
  publish_in in;
  decode_error error;
  const bool ok = decode_publish(whole, v, in, error);
  ASSERT_EQ(ok, ref.has_value()) << (ok ? "" : error.what);
  if (!ok) {
    EXPECT_EQ(error.code, ref.error().code);
    EXPECT_FALSE(error.what.empty());
    return;
  }
  const auto& p = std::get<publish>(*ref);
  EXPECT_EQ(in.topic, p.topic);
  EXPECT_EQ(in.payload, *p.payload);
  EXPECT_EQ(in.packet_id, p.packet_id);
  EXPECT_EQ(in.qos_level, p.qos_level);
  EXPECT_EQ(in.dup, p.dup);
  EXPECT_EQ(in.retain, p.retain);
  EXPECT_TRUE(in.props == p.props);
  // Views, not copies: the payload is the tail of the input.
  EXPECT_EQ(in.payload.data() + in.payload.size(), wire.data() + wire.size());
}

TEST(publish_in, agrees_with_decode_on_encoded_packets) {
  std::mt19937 rng(11);
  for (int i = 0; i < 1000; ++i) {
    const auto v = i % 2 ? protocol_version::v5 : protocol_version::v311;
    publish p;
    p.topic = "t/" + std::to_string(rng() % 1000);
    p.qos_level = static_cast<qos>(rng() % 3);
    p.retain = rng() % 2;
    p.dup = p.qos_level != qos::at_most_once && rng() % 2;
    p.packet_id = p.qos_level == qos::at_most_once ? 0 : static_cast<std::uint16_t>(1 + rng() % 65535);
    if (v == protocol_version::v5 && rng() % 2) {
      p.props.user_properties.push_back({"k", "v"});
      p.props.message_expiry_interval = 30;
      p.props.correlation_data = std::string("\x00\x01", 2);
    }
    p.payload = std::make_shared<const std::string>(rng() % 200, 'x');
    std::string wire;
    encode(p, v, wire);
    expect_agrees(wire, v);
  }
}

// Each row breaks one rule; both decoders must refuse it the same way.
TEST(publish_in, refuses_what_decode_refuses_with_the_same_code) {
  const std::string rows[] = {
      std::string("\x36\x05\x00\x01t\x00\x01", 7),        // [MQTT-3.3.1-4] QoS 3
      std::string("\x32\x05\x00\x01t\x00\x00", 7),        // [MQTT-2.2.1-3] packet id 0
      std::string("\x30\x04\x00\x01+x", 6),               // [MQTT-3.3.2-2] wildcard in the topic
      std::string("\x30\x02\x00\x00", 4),                 // [MQTT-4.7.3-1] empty topic (3.1.1)
      std::string("\x30\x05\x00\x01t", 5),                // remaining length larger than the packet
      std::string("\x30\x03\x00\x05t", 5),                // topic longer than the packet
      std::string("\x30\x04\x00\x02\xC3\x28", 6),         // invalid UTF-8 in the topic
      std::string("\x38\x04\x00\x01tx", 6),               // [MQTT-3.3.1-2] DUP on QoS 0 (v5)
  };
  for (const auto& row : rows) {
    expect_agrees(row, protocol_version::v311);
    expect_agrees(row, protocol_version::v5);
  }
}

TEST(publish_in, v5_empty_topic_needs_a_topic_alias) {
  // Topic length 0, properties: Topic Alias 3; payload "p".
  expect_agrees(std::string("\x30\x07\x00\x00\x03\x23\x00\x03p", 9), protocol_version::v5);
  // Topic length 0 without properties: refused.
  expect_agrees(std::string("\x30\x04\x00\x00\x00p", 6), protocol_version::v5);
}

}  // namespace
}  // namespace gridmq::protocol
