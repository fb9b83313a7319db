// Golden bytes for MQTT 3.1 (protocol name "MQIsdp", level 3). Apart from
// CONNECT and the unused CONNACK flags byte, 3.1 packets are 3.1.1's.
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

constexpr auto v31 = protocol_version::v31;

TEST(GoldenV31, Connect) {
  const bytes wire{
      0x10, 0x12,                                // CONNECT, Remaining Length 18
      0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // protocol name "MQIsdp"
      0x03,                                      // level 3 = 3.1
      0x02,                                      // clean session
      0x00, 0x0A,                                // keep alive 10 s
      0x00, 0x04, 'v', '3', '1', 'c',            // client id "v31c"
  };
  connect c;
  c.version = v31;
  c.keep_alive = 10;
  c.client_id = "v31c";
  expect_golden(wire, v31, c);
  // The version comes from the packet, whatever the caller passes.
  expect_decodes_to(wire, protocol_version::v5, c);
}

TEST(GoldenV31, ConnectPasswordWithoutUserNameIsAllowed) {
  const bytes wire{
      0x10, 0x12,                                // CONNECT, Remaining Length 18
      0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // "MQIsdp"
      0x03,                                      // level 3
      0x40,                                      // password, no user name (not clean)
      0x00, 0x00,                                // keep alive 0
      0x00, 0x01, 'c',                           // client id "c"
      0x00, 0x01, 'p',                           // password "p"
  };
  connect c;
  c.version = v31;
  c.clean_start = false;
  c.client_id = "c";
  c.password = "p";
  expect_golden(wire, v31, c);
}

TEST(GoldenV31, ConnackHasNoSessionPresent) {
  const bytes wire{
      0x20, 0x02,  // CONNACK, Remaining Length 2
      0x00,        // unused in 3.1
      0x02,        // return code 2: identifier rejected
  };
  expect_golden(wire, v31, connack{false, reason_code::client_identifier_not_valid, {}});
  std::string out;
  encode(connack{true, reason_code::success, {}}, v31, out);
  EXPECT_EQ(hex(out), "20 02 00 00");  // session present is not sent to 3.1 clients
}

TEST(GoldenV31, PublishAndSubscribe) {
  publish p;
  p.qos_level = qos::at_least_once;
  p.topic = "t";
  p.packet_id = 1;
  p.payload = pl("x");
  expect_golden({0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 'x'}, v31, p);  // PUBLISH QoS 1, "t", id 1, "x"
  subscribe s;
  s.packet_id = 3;
  s.topics.push_back({"t", {qos::exactly_once}});
  expect_golden({0x82, 0x06, 0x00, 0x03, 0x00, 0x01, 't', 0x02}, v31, s);  // SUBSCRIBE id 3, "t" QoS 2
}

}  // namespace
}  // namespace gridmq::protocol::test
