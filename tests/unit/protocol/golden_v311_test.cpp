// Golden bytes for every MQTT 3.1.1 packet: decode -> fields, encode -> bytes.
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

constexpr auto v311 = protocol_version::v311;

TEST(GoldenV311, ConnectWithWillUserPassword) {
  const bytes wire{
      0x10, 0x20,                    // CONNECT, Remaining Length 32
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x04,                          // level 4 = 3.1.1
      0xEE,                          // user | password | will retain | will QoS 1 | will | clean session
      0x00, 0x3C,                    // keep alive 60 s
      0x00, 0x03, 'c', 'i', 'd',     // client id "cid"
      0x00, 0x03, 'w', '/', 't',     // will topic "w/t"
      0x00, 0x03, 'b', 'y', 'e',     // will payload "bye"
      0x00, 0x01, 'u',               // user name "u"
      0x00, 0x02, 'p', 'w',          // password "pw"
  };
  connect c;
  c.version = v311;
  c.clean_start = true;
  c.keep_alive = 60;
  c.client_id = "cid";
  c.will_message = will{"w/t", pl("bye"), qos::at_least_once, true, {}};
  c.username = "u";
  c.password = "pw";
  expect_golden(wire, v311, c);
}

TEST(GoldenV311, ConnectMinimalEmptyClientId) {
  const bytes wire{
      0x10, 0x0C,                      // CONNECT, Remaining Length 12
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x04,                            // level 4
      0x02,                            // clean session only
      0x00, 0x00,                      // keep alive 0 (off)
      0x00, 0x00,                      // client id "" ([MQTT-3.1.3-6] server may assign)
  };
  connect c;
  c.version = v311;
  expect_golden(wire, v311, c);
}

TEST(GoldenV311, ConnackSessionPresent) {
  const bytes wire{
      0x20, 0x02,  // CONNACK, Remaining Length 2
      0x01,        // session present
      0x00,        // return code 0: accepted
  };
  expect_golden(wire, v311, connack{true, reason_code::success, {}});
}

TEST(GoldenV311, ConnackNotAuthorized) {
  const bytes wire{
      0x20, 0x02,  // CONNACK, Remaining Length 2
      0x00,        // no session
      0x05,        // return code 5: not authorized
  };
  expect_golden(wire, v311, connack{false, reason_code::not_authorized, {}});
}

TEST(GoldenV311, ConnackFromV5ReasonCode) {
  // A v5-only refusal is sent as the closest 3.1.1 return code.
  std::string out;
  encode(connack{false, reason_code::server_busy, {}}, v311, out);
  EXPECT_EQ(hex(out), "20 02 00 03");  // 3: server unavailable
  out.clear();
  encode(connack{false, reason_code::unsupported_protocol_version, {}}, v311, out);
  EXPECT_EQ(hex(out), "20 02 00 01");  // 1: unacceptable protocol version
}

TEST(GoldenV311, PublishQos0) {
  const bytes wire{
      0x30, 0x07,                  // PUBLISH QoS 0, Remaining Length 7
      0x00, 0x03, 'a', '/', 'b',   // topic "a/b"
      'h', 'i',                    // payload "hi"
  };
  publish p;
  p.topic = "a/b";
  p.payload = pl("hi");
  expect_golden(wire, v311, p);
}

TEST(GoldenV311, PublishQos1DupRetain) {
  const bytes wire{
      0x3B, 0x08,          // PUBLISH, DUP | QoS 1 | RETAIN, Remaining Length 8
      0x00, 0x01, 't',     // topic "t"
      0x00, 0x0A,          // packet id 10
      'x', 'y', 'z',       // payload "xyz"
  };
  publish p;
  p.dup = true;
  p.qos_level = qos::at_least_once;
  p.retain = true;
  p.topic = "t";
  p.packet_id = 10;
  p.payload = pl("xyz");
  expect_golden(wire, v311, p);
}

TEST(GoldenV311, PublishQos2EmptyPayload) {
  const bytes wire{
      0x34, 0x05,          // PUBLISH QoS 2, Remaining Length 5
      0x00, 0x01, 't',     // topic "t"
      0xFF, 0xFF,          // packet id 65535
                           // empty payload
  };
  publish p;
  p.qos_level = qos::exactly_once;
  p.topic = "t";
  p.packet_id = 65535;
  p.payload = pl("");
  expect_golden(wire, v311, p);
}

TEST(GoldenV311, PubAckFamily) {
  expect_golden({0x40, 0x02, 0x00, 0x0A}, v311, puback{10, reason_code::success, {}});   // PUBACK id 10
  expect_golden({0x50, 0x02, 0x00, 0x0A}, v311, pubrec{10, reason_code::success, {}});   // PUBREC id 10
  expect_golden({0x62, 0x02, 0x00, 0x0A}, v311, pubrel{10, reason_code::success, {}});   // PUBREL (flags 0010) id 10
  expect_golden({0x70, 0x02, 0x00, 0x0A}, v311, pubcomp{10, reason_code::success, {}});  // PUBCOMP id 10
}

TEST(GoldenV311, Subscribe) {
  const bytes wire{
      0x82, 0x0C,                // SUBSCRIBE (flags 0010), Remaining Length 12
      0x00, 0x01,                // packet id 1
      0x00, 0x03, 'a', '/', '#', // filter "a/#"
      0x01,                      // requested QoS 1
      0x00, 0x01, '+',           // filter "+"
      0x02,                      // requested QoS 2
  };
  subscribe s;
  s.packet_id = 1;
  s.topics.push_back({"a/#", {qos::at_least_once}});
  s.topics.push_back({"+", {qos::exactly_once}});
  expect_golden(wire, v311, s);
}

TEST(GoldenV311, Suback) {
  const bytes wire{
      0x90, 0x05,  // SUBACK, Remaining Length 5
      0x00, 0x01,  // packet id 1
      0x00,        // granted QoS 0
      0x01,        // granted QoS 1
      0x80,        // failure
  };
  expect_golden(wire, v311,
                suback{1, {reason_code::success, reason_code::granted_qos_1, reason_code::unspecified_error}, {}});
  // Any v5 failure code is sent as 0x80 in 3.1.1.
  std::string out;
  encode(suback{1, {reason_code::not_authorized}, {}}, v311, out);
  EXPECT_EQ(hex(out), "90 03 00 01 80");
}

TEST(GoldenV311, Unsubscribe) {
  const bytes wire{
      0xA2, 0x07,                 // UNSUBSCRIBE (flags 0010), Remaining Length 7
      0x00, 0x02,                 // packet id 2
      0x00, 0x03, 'a', '/', 'b',  // filter "a/b"
  };
  unsubscribe u;
  u.packet_id = 2;
  u.filters = {"a/b"};
  expect_golden(wire, v311, u);
}

TEST(GoldenV311, UnsubackHasNoPayload) {
  const bytes wire{
      0xB0, 0x02,  // UNSUBACK, Remaining Length 2
      0x00, 0x02,  // packet id 2
  };
  expect_golden(wire, v311, unsuback{2, {}, {}});
  // v5 reason codes are dropped in 3.1.1.
  std::string out;
  encode(unsuback{2, {reason_code::success}, {}}, v311, out);
  EXPECT_EQ(hex(out), "B0 02 00 02");
}

TEST(GoldenV311, PingAndDisconnect) {
  expect_golden({0xC0, 0x00}, v311, pingreq{});     // PINGREQ
  expect_golden({0xD0, 0x00}, v311, pingresp{});    // PINGRESP
  expect_golden({0xE0, 0x00}, v311, disconnect{});  // DISCONNECT
}

}  // namespace
}  // namespace gridmq::protocol::test
