// The http module's small MQTT 5.0 client codec: exact bytes out, total and
// bounds-checked decoding in.
#include <gtest/gtest.h>

#include <string>

#include "http/mqtt_wire.hpp"

namespace gridmq::http::wire {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(mqtt_wire, connect_bytes) {
  const std::string c = connect("id", std::nullopt, std::nullopt);
  // 0x10, length, "MQTT", level 5, Clean Start, Keep Alive 0, properties
  // (Receive Maximum 65535), client id.
  EXPECT_EQ(c, std::string("\x10\x12\x00\x04MQTT\x05\x02\x00\x00\x03\x21\xff\xff\x00\x02id", 20));
  const std::string auth = connect("i", std::string("u"), std::string("p"));
  EXPECT_EQ(static_cast<unsigned char>(auth[9]), 0xC2);
}

TEST(mqtt_wire, publish_bytes_and_size) {
  publish_request r;
  r.topic = "a";
  r.qos = 1;
  r.retain = true;
  r.payload = "xy";
  r.user_properties = {{"k", "v"}};
  const std::string p = publish(r, 7);
  // QoS 1 + RETAIN, length 15, topic "a", packet id 7, 7 bytes of
  // properties (User Property k=v), payload "xy".
  EXPECT_EQ(p, std::string("\x33\x0f\x00\x01" "a\x00\x07\x07\x26\x00\x01k\x00\x01vxy", 17));
  EXPECT_EQ(publish_size(r), p.size());
  r.qos = 0;
  EXPECT_EQ(static_cast<unsigned char>(publish(r, 7)[0]), 0x31);
  r.payload.assign(200, 'x');  // two-byte remaining length
  EXPECT_EQ(publish_size(r), publish(r, 1).size());
}

TEST(mqtt_wire, decodes_answers) {
  // CONNACK with Maximum Packet Size 4096.
  auto r = cut(bytes(std::string("\x20\x08\x00\x00\x05\x27\x00\x00\x10\x00", 10)));
  ASSERT_EQ(r.st, cut_status::done);
  EXPECT_EQ(r.p.type, 2);
  EXPECT_EQ(r.p.maximum_packet_size, 4096u);
  // PUBACK without reason (success), PUBACK 0x97.
  r = cut(bytes(std::string("\x40\x02\x00\x01", 4)));
  EXPECT_EQ(r.p.reason, 0);
  r = cut(bytes(std::string("\x40\x03\x00\x01\x97", 5)));
  EXPECT_EQ(r.p.reason, 0x97);
  // Retained PUBLISH QoS 1 with Message Expiry 60.
  r = cut(bytes(std::string("\x33\x0d\x00\x01t\x00\x05\x05\x02\x00\x00\x00\x3cok", 15)));
  ASSERT_EQ(r.st, cut_status::done);
  EXPECT_EQ(r.p.topic, "t");
  EXPECT_EQ(r.p.packet_id, 5);
  EXPECT_EQ(*r.p.message_expiry, 60u);
  EXPECT_EQ(r.p.payload, "ok");
  EXPECT_EQ(r.length, 15u);
}

TEST(mqtt_wire, incomplete_and_malformed_are_total) {
  const std::string full("\x33\x0d\x00\x01t\x00\x05\x05\x02\x00\x00\x00\x3cok", 15);
  for (std::size_t n = 0; n < full.size(); ++n) EXPECT_EQ(cut(bytes(full.substr(0, n))).st, cut_status::incomplete) << n;
  // Topic length past the packet; property length past the packet; unknown property.
  EXPECT_EQ(cut(bytes(std::string("\x30\x03\x00\x09t", 5))).st, cut_status::malformed);
  EXPECT_EQ(cut(bytes(std::string("\x30\x05\x00\x01t\x09\x02", 7))).st, cut_status::malformed);
  EXPECT_EQ(cut(bytes(std::string("\x30\x05\x00\x01t\x01\x7f", 7))).st, cut_status::malformed);
  EXPECT_EQ(cut(bytes(std::string("\x30\xff\xff\xff\xff\x01", 6))).st, cut_status::malformed);
}

}  // namespace
}  // namespace gridmq::http::wire
