// Golden bytes for every MQTT 5.0 packet, with properties and the short
// forms of 3.4.2.1, 3.14.2.1 and 3.15.2.1.
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

constexpr auto v5 = protocol_version::v5;

TEST(GoldenV5, ConnectWithPropertiesAndWill) {
  const bytes wire{
      0x10, 0x3A,                      // CONNECT, Remaining Length 58
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x05,                            // level 5
      0x96,                            // user name | will QoS 2 | will | clean start
      0x00, 0x1E,                      // keep alive 30 s
      0x0F,                            // property length 15
      0x11, 0x00, 0x00, 0x0E, 0x10,    //   session expiry interval 3600
      0x21, 0x00, 0x14,                //   receive maximum 20
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
      0x00, 0x02, 'c', '5',            // client id "c5"
      0x0E,                            // will property length 14
      0x01, 0x01,                      //   payload format indicator 1 (UTF-8)
      0x03, 0x00, 0x04, 't', 'e', 'x', 't',  // content type "text"
      0x18, 0x00, 0x00, 0x00, 0x05,    //   will delay interval 5
      0x00, 0x01, 'w',                 // will topic "w"
      0x00, 0x02, 'o', 'k',            // will payload "ok"
      0x00, 0x04, 'u', 's', 'e', 'r',  // user name "user"
  };
  connect c;
  c.version = v5;
  c.keep_alive = 30;
  c.client_id = "c5";
  c.props.session_expiry_interval = 3600;
  c.props.receive_maximum = 20;
  c.props.user_properties = {{"k", "v"}};
  will w;
  w.topic = "w";
  w.payload = pl("ok");
  w.qos_level = qos::exactly_once;
  w.props.payload_format_indicator = 1;
  w.props.content_type = "text";
  w.props.will_delay_interval = 5;
  c.will_message = w;
  c.username = "user";
  expect_golden(wire, v5, c);
}

TEST(GoldenV5, ConnectEnhancedAuthPasswordWithoutUser) {
  const bytes wire{
      0x10, 0x1E,                      // CONNECT, Remaining Length 30
      0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
      0x05,                            // level 5
      0x40,                            // password without user name: allowed in 5.0
      0x00, 0x00,                      // keep alive 0
      0x0D,                            // property length 13
      0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',  // authentication method "SCRAM"
      0x16, 0x00, 0x02, 0x01, 0x02,    //   authentication data 01 02
      0x00, 0x00,                      // client id ""
      0x00, 0x02, 0x00, 0xFF,          // password (binary) 00 FF
  };
  connect c;
  c.version = v5;
  c.clean_start = false;
  c.props.authentication_method = "SCRAM";
  c.props.authentication_data = std::string("\x01\x02", 2);
  c.password = std::string("\x00\xFF", 2);
  expect_golden(wire, v5, c);
}

TEST(GoldenV5, ConnackWithProperties) {
  const bytes wire{
      0x20, 0x24,                    // CONNACK, Remaining Length 36
      0x00,                          // no session present
      0x00,                          // reason code: success
      0x21,                          // property length 33
      0x12, 0x00, 0x06, 'a', 'u', 't', 'o', '-', '1',  // assigned client identifier "auto-1"
      0x13, 0x00, 0x3C,              //   server keep alive 60
      0x21, 0x00, 0x0A,              //   receive maximum 10
      0x22, 0x00, 0x05,              //   topic alias maximum 5
      0x24, 0x01,                    //   maximum QoS 1
      0x25, 0x00,                    //   retain available 0
      0x27, 0x00, 0x01, 0x00, 0x00,  //   maximum packet size 65536
      0x28, 0x01,                    //   wildcard subscription available
      0x29, 0x01,                    //   subscription identifiers available
      0x2A, 0x00,                    //   shared subscription not available
  };
  connack a;
  a.props.assigned_client_identifier = "auto-1";
  a.props.server_keep_alive = 60;
  a.props.receive_maximum = 10;
  a.props.topic_alias_maximum = 5;
  a.props.maximum_qos = 1;
  a.props.retain_available = 0;
  a.props.maximum_packet_size = 65536;
  a.props.wildcard_subscription_available = 1;
  a.props.subscription_identifier_available = 1;
  a.props.shared_subscription_available = 0;
  expect_golden(wire, v5, a);
}

TEST(GoldenV5, ConnackRefused) {
  const bytes wire{
      0x20, 0x03,  // CONNACK, Remaining Length 3
      0x00,        // no session
      0x87,        // reason code: not authorized
      0x00,        // property length 0
  };
  expect_golden(wire, v5, connack{false, reason_code::not_authorized, {}});
}

TEST(GoldenV5, PublishQos1WithProperties) {
  const bytes wire{
      0x32, 0x29,                    // PUBLISH QoS 1, Remaining Length 41
      0x00, 0x03, 'a', '/', 'b',     // topic "a/b"
      0x00, 0x07,                    // packet id 7
      0x1C,                          // property length 28
      0x01, 0x01,                    //   payload format indicator 1
      0x02, 0x00, 0x00, 0x00, 0x3C,  //   message expiry interval 60
      0x08, 0x00, 0x03, 'r', '/', '1',  // response topic "r/1"
      0x09, 0x00, 0x02, 0xC1, 0xC2,  //   correlation data C1 C2
      0x23, 0x00, 0x02,              //   topic alias 2
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
      'h', 'e', 'l', 'l', 'o',       // payload "hello"
  };
  publish p;
  p.qos_level = qos::at_least_once;
  p.topic = "a/b";
  p.packet_id = 7;
  p.props.payload_format_indicator = 1;
  p.props.message_expiry_interval = 60;
  p.props.response_topic = "r/1";
  p.props.correlation_data = "\xC1\xC2";
  p.props.topic_alias = 2;
  p.props.user_properties = {{"k", "v"}};
  p.payload = pl("hello");
  expect_golden(wire, v5, p);
}

TEST(GoldenV5, PublishWithSubscriptionIdentifiers) {
  const bytes wire{
      0x30, 0x09,        // PUBLISH QoS 0, Remaining Length 9
      0x00, 0x01, 't',   // topic "t"
      0x05,              // property length 5
      0x0B, 0x01,        //   subscription identifier 1
      0x0B, 0x80, 0x01,  //   subscription identifier 128 (two-byte varint)
                         // empty payload
  };
  publish p;
  p.topic = "t";
  p.props.subscription_identifiers = {1, 128};
  p.payload = pl("");
  expect_golden(wire, v5, p);
}

TEST(GoldenV5, PublishEmptyTopicWithAlias) {
  const bytes wire{
      0x30, 0x07,        // PUBLISH QoS 0, Remaining Length 7
      0x00, 0x00,        // topic "" (the alias names it)
      0x03,              // property length 3
      0x23, 0x00, 0x01,  //   topic alias 1
      'x',               // payload "x"
  };
  publish p;
  p.props.topic_alias = 1;
  p.payload = pl("x");
  expect_golden(wire, v5, p);
}

TEST(GoldenV5, PubAckShortForms) {
  // Remaining Length 2: success, no properties.
  expect_golden({0x40, 0x02, 0x00, 0x05}, v5, puback{5, reason_code::success, {}});
  // Remaining Length 3: reason code, no properties.
  expect_golden({0x40, 0x03, 0x00, 0x05, 0x10}, v5, puback{5, reason_code::no_matching_subscribers, {}});
  // Remaining Length 4: success and an empty property list; encodes to the short form.
  expect_decodes_to({0x40, 0x04, 0x00, 0x05, 0x00, 0x00}, v5, puback{5, reason_code::success, {}});
}

TEST(GoldenV5, PubAckWithReasonString) {
  const bytes wire{
      0x40, 0x0A,                    // PUBACK, Remaining Length 10
      0x00, 0x05,                    // packet id 5
      0x87,                          // not authorized
      0x06,                          // property length 6
      0x1F, 0x00, 0x03, 'n', 'o', 'p',  // reason string "nop"
  };
  puback a{5, reason_code::not_authorized, {}};
  a.props.reason_string = "nop";
  expect_golden(wire, v5, a);
}

TEST(GoldenV5, PubRecRelComp) {
  expect_golden({0x50, 0x03, 0x00, 0x06, 0x80}, v5, pubrec{6, reason_code::unspecified_error, {}});  // PUBREC 0x80
  expect_golden({0x62, 0x03, 0x00, 0x06, 0x92}, v5,
                pubrel{6, reason_code::packet_identifier_not_found, {}});  // PUBREL 0x92
  const bytes comp{
      0x70, 0x0B,  // PUBCOMP, Remaining Length 11
      0x00, 0x06,  // packet id 6
      0x00,        // success (present because properties follow)
      0x07,        // property length 7
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
  };
  pubcomp c{6, reason_code::success, {}};
  c.props.user_properties = {{"k", "v"}};
  expect_golden(comp, v5, c);
}

TEST(GoldenV5, SubscribeWithOptions) {
  const bytes wire{
      0x82, 0x0F,                 // SUBSCRIBE (flags 0010), Remaining Length 15
      0x00, 0x0A,                 // packet id 10
      0x02,                       // property length 2
      0x0B, 0x05,                 //   subscription identifier 5
      0x00, 0x03, 'a', '/', '+',  // filter "a/+"
      0x2D,                       // retain handling 2 | retain as published | no local | QoS 1
      0x00, 0x01, '#',            // filter "#"
      0x12,                       // retain handling 1 | QoS 2
  };
  subscribe s;
  s.packet_id = 10;
  s.props.subscription_identifiers = {5};
  s.topics.push_back({"a/+", {qos::at_least_once, true, true, retain_handling::never}});
  s.topics.push_back({"#", {qos::exactly_once, false, false, retain_handling::send_if_new}});
  expect_golden(wire, v5, s);
}

TEST(GoldenV5, Suback) {
  const bytes wire{
      0x90, 0x0B,                  // SUBACK, Remaining Length 11
      0x00, 0x0A,                  // packet id 10
      0x05,                        // property length 5
      0x1F, 0x00, 0x02, 'o', 'k',  //   reason string "ok"
      0x01,                        // granted QoS 1
      0x02,                        // granted QoS 2
      0xA2,                        // wildcard subscriptions not supported
  };
  suback a{10, {reason_code::granted_qos_1, reason_code::granted_qos_2,
                reason_code::wildcard_subscriptions_not_supported}, {}};
  a.props.reason_string = "ok";
  expect_golden(wire, v5, a);
}

TEST(GoldenV5, Unsubscribe) {
  const bytes wire{
      0xA2, 0x12,                 // UNSUBSCRIBE (flags 0010), Remaining Length 18
      0x00, 0x0B,                 // packet id 11
      0x07,                       // property length 7
      0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
      0x00, 0x03, 'a', '/', '+',  // filter "a/+"
      0x00, 0x01, 'b',            // filter "b"
  };
  unsubscribe u;
  u.packet_id = 11;
  u.props.user_properties = {{"k", "v"}};
  u.filters = {"a/+", "b"};
  expect_golden(wire, v5, u);
}

TEST(GoldenV5, Unsuback) {
  const bytes wire{
      0xB0, 0x05,  // UNSUBACK, Remaining Length 5
      0x00, 0x0B,  // packet id 11
      0x00,        // property length 0
      0x00,        // success
      0x11,        // no subscription existed
  };
  expect_golden(wire, v5, unsuback{11, {reason_code::success, reason_code::no_subscription_existed}, {}});
}

TEST(GoldenV5, Ping) {
  expect_golden({0xC0, 0x00}, v5, pingreq{});   // PINGREQ
  expect_golden({0xD0, 0x00}, v5, pingresp{});  // PINGRESP
}

TEST(GoldenV5, DisconnectForms) {
  expect_golden({0xE0, 0x00}, v5, disconnect{});  // Remaining Length 0: normal disconnection
  expect_golden({0xE0, 0x01, 0x04}, v5,
                disconnect{reason_code::disconnect_with_will, {}});  // Remaining Length 1: code only
  const bytes wire{
      0xE0, 0x0C,                  // DISCONNECT, Remaining Length 12
      0x9C,                        // use another server
      0x0A,                        // property length 10
      0x1C, 0x00, 0x03, 'h', 'o', 's',  // server reference "hos"
      0x1F, 0x00, 0x01, 'x',       //   reason string "x"
  };
  disconnect d{reason_code::use_another_server, {}};
  d.props.server_reference = "hos";
  d.props.reason_string = "x";
  expect_golden(wire, v5, d);
}

TEST(GoldenV5, AuthForms) {
  expect_golden({0xF0, 0x00}, v5, auth{});  // Remaining Length 0: success
  const bytes wire{
      0xF0, 0x0F,  // AUTH, Remaining Length 15
      0x18,        // continue authentication
      0x0D,        // property length 13
      0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',  // authentication method "SCRAM"
      0x16, 0x00, 0x02, 0x01, 0x02,  //   authentication data 01 02
  };
  auth a{reason_code::continue_authentication, {}};
  a.props.authentication_method = "SCRAM";
  a.props.authentication_data = std::string("\x01\x02", 2);
  expect_golden(wire, v5, a);
  // A code without properties keeps its (empty) property length: AUTH has
  // no Remaining Length 1 form.
  expect_golden({0xF0, 0x02, 0x19, 0x00}, v5, auth{reason_code::re_authenticate, {}});
}

TEST(GoldenV5, EncoderDropsPropertiesThePacketMayNotCarry) {
  puback a{1, reason_code::success, {}};
  a.props.topic_alias = 3;  // not valid in PUBACK (2.2.2.2)
  std::string out;
  encode(a, v5, out);
  EXPECT_EQ(hex(out), "40 02 00 01");
}

TEST(GoldenV5, PropertiesAreIgnoredBeforeV5) {
  publish p;
  p.topic = "t";
  p.props.message_expiry_interval = 5;
  p.payload = pl("x");
  std::string out;
  encode(p, protocol_version::v311, out);
  EXPECT_EQ(hex(out), "30 04 00 01 74 78");
}

}  // namespace
}  // namespace gridmq::protocol::test
