// Malformed and forbidden input: one row per rule, with the rule id and the
// reason code decode() must return. Rows are named by their index.
#include <cctype>
#include <string>

#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

constexpr auto v31 = protocol_version::v31;
constexpr auto v311 = protocol_version::v311;
constexpr auto v5 = protocol_version::v5;
constexpr auto malformed = reason_code::malformed_packet;
constexpr auto protocol = reason_code::protocol_error;

struct row {
  const char* rule;
  protocol_version version;
  bytes wire;
  reason_code expected;
};

bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const bytes mqtt_name{0x00, 0x04, 'M', 'Q', 'T', 'T'};

// CONNECT: protocol name "MQTT", `level`, `flags`, keep alive 60, then `rest`
// (properties for v5, then the payload).
bytes connect_packet(std::uint8_t level, std::uint8_t flags, const bytes& rest) {
  return framed(0x10, cat({mqtt_name, {level, flags, 0x00, 0x3C}, rest}));
}

// A v5 CONNECT with properties `props` (list only) and client id "c".
bytes connect_v5_with(const bytes& props) {
  return connect_packet(5, 0x02, cat({{static_cast<std::uint8_t>(props.size())}, props, {0x00, 0x01, 'c'}}));
}

// A v5 PUBLISH QoS 0 to "t" with properties `props` (list only), no payload.
bytes publish_v5_with(const bytes& props) {
  return framed(0x30, cat({{0x00, 0x01, 't', static_cast<std::uint8_t>(props.size())}, props}));
}

std::vector<row> rows() {
  const bytes client_c{0x00, 0x01, 'c'};
  return {
      // Fixed header.
      {"[MQTT-2.2.2-2] PUBACK flags 0001", v311, {0x41, 0x02, 0x00, 0x01}, malformed},
      {"[MQTT-2.2.2-2] PUBREL flags 0000", v311, {0x60, 0x02, 0x00, 0x01}, malformed},
      {"[MQTT-2.2.2-2] SUBSCRIBE flags 0000", v311, framed(0x80, {0x00, 0x01, 0x00, 0x01, 'a', 0x00}), malformed},
      {"[MQTT-2.2.2-2] UNSUBSCRIBE flags 0000", v311, framed(0xA0, {0x00, 0x01, 0x00, 0x01, 'a'}), malformed},
      {"[MQTT-2.2.2-2] PINGREQ flags 0001", v5, {0xC1, 0x00}, malformed},
      {"[MQTT-2.2.2-2] CONNECT flags 0010", v311, {0x12, 0x00}, malformed},
      {"[2.1.2] reserved packet type 0", v5, {0x00, 0x00}, malformed},
      {"[2.1.2] AUTH in 3.1.1", v311, {0xF0, 0x00}, malformed},
      {"[1.5.5] remaining length of 5 bytes", v311, {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, malformed},
      {"[2.1.4] remaining length larger than the packet", v311, {0x30, 0x05, 0x00, 0x01, 't'}, malformed},
      {"[2.1.4] remaining length smaller than the packet", v311, {0xC0, 0x00, 0x00}, malformed},
      {"[2.1.4] truncated fixed header", v311, {0x30}, malformed},
      {"[2.1.4] empty input", v311, {}, malformed},
      // PUBLISH.
      {"[MQTT-3.3.1-4] PUBLISH QoS 3", v311, framed(0x36, {0x00, 0x01, 't', 0x00, 0x01}), malformed},
      {"[MQTT-3.3.1-4] PUBLISH QoS 3 (v5)", v5, framed(0x36, {0x00, 0x01, 't', 0x00, 0x01, 0x00}), malformed},
      {"[MQTT-3.3.1-2] DUP with QoS 0", v5, framed(0x38, {0x00, 0x01, 't', 0x00}), malformed},
      {"[MQTT-2.2.1-3] PUBLISH QoS 1 packet id 0", v311, framed(0x32, {0x00, 0x01, 't', 0x00, 0x00}), protocol},
      {"[MQTT-2.2.1-3] PUBLISH QoS 2 packet id 0", v5, framed(0x34, {0x00, 0x01, 't', 0x00, 0x00, 0x00}), protocol},
      {"[MQTT-3.3.2-2] '+' in topic name", v311, framed(0x30, {0x00, 0x03, 'a', '/', '+'}), reason_code::topic_name_invalid},
      {"[MQTT-3.3.2-2] '#' in topic name", v5, framed(0x30, {0x00, 0x01, '#', 0x00}), reason_code::topic_name_invalid},
      {"[MQTT-4.7.3-1] empty topic name", v311, framed(0x30, {0x00, 0x00, 'x'}), reason_code::topic_name_invalid},
      {"[3.3.2.3.4] empty topic without topic alias", v5, framed(0x30, {0x00, 0x00, 0x00}), protocol},
      {"[1.5.4] topic length overruns the packet", v311, framed(0x30, {0x00, 0x05, 'a', 'b'}), malformed},
      {"[MQTT-2.2.1-3] packet id missing", v311, framed(0x32, {0x00, 0x01, 't', 0x00}), malformed},
      // UTF-8 ([MQTT-1.5.4-1..3]).
      {"[MQTT-1.5.4-1] overlong UTF-8 in topic", v311, framed(0x30, {0x00, 0x02, 0xC0, 0xAF}), malformed},
      {"[MQTT-1.5.4-1] surrogate U+D800 in topic", v5, framed(0x30, {0x00, 0x03, 0xED, 0xA0, 0x80, 0x00}), malformed},
      {"[MQTT-1.5.4-2] U+0000 in topic", v311, framed(0x30, {0x00, 0x02, 'a', 0x00}), malformed},
      {"[MQTT-1.5.4-1] truncated UTF-8 in client id", v311,
       connect_packet(4, 0x02, {0x00, 0x02, 'a', 0xE2}), malformed},
      {"[MQTT-1.5.4-1] invalid UTF-8 in user name", v311,
       connect_packet(4, 0x82, cat({client_c, {0x00, 0x01, 0xFF}})), malformed},
      {"[MQTT-1.5.4-1] invalid UTF-8 in filter", v311, framed(0x82, {0x00, 0x01, 0x00, 0x01, 0x80, 0x00}), malformed},
      {"[MQTT-1.5.4-1] invalid UTF-8 in user property", v5, publish_v5_with({0x26, 0x00, 0x01, 0xC3, 0x00, 0x00}),
       malformed},
      // CONNECT.
      {"[MQTT-3.1.2-1] unknown protocol name", v311,
       framed(0x10, cat({{0x00, 0x04, 'M', 'Q', 'T', 'X', 0x04, 0x02, 0x00, 0x3C}, client_c})), protocol},
      {"[MQTT-3.1.2-2] unsupported level 6", v311, connect_packet(6, 0x02, client_c),
       reason_code::unsupported_protocol_version},
      {"[MQTT-3.1.2-2] MQTT with level 3", v311, connect_packet(3, 0x02, client_c),
       reason_code::unsupported_protocol_version},
      {"[MQTT-3.1.2-2] MQIsdp with level 4", v311,
       framed(0x10, cat({{0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x04, 0x02, 0x00, 0x3C}, client_c})),
       reason_code::unsupported_protocol_version},
      {"[MQTT-3.1.2-3] reserved connect flag", v311, connect_packet(4, 0x03, client_c), malformed},
      {"[MQTT-3.1.2-3] reserved connect flag (v5)", v5, connect_packet(5, 0x03, cat({{0x00}, client_c})), malformed},
      {"[MQTT-3.1.2-11] will QoS without will flag", v311, connect_packet(4, 0x0A, client_c), malformed},
      {"[MQTT-3.1.2-13] will retain without will flag", v5, connect_packet(5, 0x22, cat({{0x00}, client_c})), malformed},
      {"[MQTT-3.1.2-12] will QoS 3", v311,
       connect_packet(4, 0x1E, cat({client_c, {0x00, 0x01, 'w', 0x00, 0x00}})), malformed},
      {"[MQTT-3.1.2-22] password without user name (3.1.1)", v311,
       connect_packet(4, 0x42, cat({client_c, {0x00, 0x01, 'p'}})), malformed},
      {"[MQTT-4.7.1-1] wildcard in will topic", v311,
       connect_packet(4, 0x06, cat({client_c, {0x00, 0x01, '#', 0x00, 0x00}})), reason_code::topic_name_invalid},
      {"[2.1.4] user name flag without user name", v311, connect_packet(4, 0x82, client_c), malformed},
      {"[2.1.4] bytes after the password", v311, connect_packet(4, 0xC2, cat({client_c, {0x00, 0x01, 'u', 0x00, 0x00, 0x00}})),
       malformed},
      {"[3.1.2.11.3] receive maximum 0", v5, connect_v5_with({0x21, 0x00, 0x00}), protocol},
      {"[3.1.2.11.4] maximum packet size 0", v5, connect_v5_with({0x27, 0x00, 0x00, 0x00, 0x00}), protocol},
      {"[3.1.2.11.7] request problem information 2", v5, connect_v5_with({0x17, 0x02}), protocol},
      {"[3.1.2.11.10] authentication data without method", v5, connect_v5_with({0x16, 0x00, 0x00}), protocol},
      {"[2.2.2.2] session expiry interval twice", v5,
       connect_v5_with({0x11, 0x00, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00, 0x00, 0x02}), protocol},
      {"[2.2.2.2] will delay interval in CONNECT properties", v5, connect_v5_with({0x18, 0x00, 0x00, 0x00, 0x01}),
       malformed},
      {"[2.2.2.2] session expiry in will properties", v5,
       connect_packet(5, 0x06, cat({{0x00}, client_c, {0x05, 0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 'w', 0x00, 0x00}})),
       malformed},
      // CONNACK.
      {"[MQTT-3.2.2-1] reserved acknowledge flags", v311, {0x20, 0x02, 0x02, 0x00}, malformed},
      {"[MQTT-3.2.2-4] session present with a refusal", v311, {0x20, 0x02, 0x01, 0x05}, protocol},
      {"[MQTT-3.2.2-6] session present with a refusal (v5)", v5, {0x20, 0x03, 0x01, 0x87, 0x00}, protocol},
      {"[3.2.2.3] return code 6", v311, {0x20, 0x02, 0x00, 0x06}, malformed},
      {"[3.2.2.2] reason code 0x10 in CONNACK", v5, {0x20, 0x03, 0x00, 0x10, 0x00}, malformed},
      {"[3.2.2.3.4] maximum QoS 2", v5, {0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02}, protocol},
      {"[3.2.2.3.5] retain available 2", v5, {0x20, 0x05, 0x00, 0x00, 0x02, 0x25, 0x02}, protocol},
      {"[2.1.4] CONNACK with 3 bytes (3.1.1)", v311, {0x20, 0x03, 0x00, 0x00, 0x00}, malformed},
      {"[2.1.4] CONNACK without property length (v5)", v5, {0x20, 0x02, 0x00, 0x00}, malformed},
      // v5 properties.
      {"[2.2.2.2] unknown property 0x7F", v5, publish_v5_with({0x7F}), malformed},
      {"[2.2.2.2] unknown property 0x00", v5, publish_v5_with({0x00}), malformed},
      {"[2.2.2.2] session expiry in PUBLISH", v5, publish_v5_with({0x11, 0x00, 0x00, 0x00, 0x01}), malformed},
      {"[2.2.2.2] topic alias in PUBACK", v5, {0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01}, malformed},
      {"[2.2.2.2] payload format indicator twice", v5, publish_v5_with({0x01, 0x00, 0x01, 0x01}), protocol},
      {"[2.2.2.2] content type twice", v5, publish_v5_with({0x03, 0x00, 0x00, 0x03, 0x00, 0x00}), protocol},
      {"[3.3.2.3.2] payload format indicator 2", v5, publish_v5_with({0x01, 0x02}), protocol},
      {"[3.3.2.3.8] subscription identifier 0", v5, publish_v5_with({0x0B, 0x00}), protocol},
      {"[MQTT-3.3.2-14] wildcard in response topic", v5, publish_v5_with({0x08, 0x00, 0x01, '+'}), protocol},
      {"[2.2.2.1] property length overruns the packet", v5, framed(0x30, {0x00, 0x01, 't', 0x05, 0x01, 0x00}),
       malformed},
      {"[2.2.2.1] property value overruns the list", v5,
       framed(0x30, {0x00, 0x01, 't', 0x02, 0x02, 0x00, 0x00, 0x00, 0x00}), malformed},
      {"[1.5.5] property length of 5 bytes", v5, framed(0x30, {0x00, 0x01, 't', 0x80, 0x80, 0x80, 0x80, 0x01}),
       malformed},
      {"[1.5.5] subscription identifier varint truncated", v5, publish_v5_with({0x0B, 0x80}), malformed},
      // PUBACK, PUBREC, PUBREL, PUBCOMP.
      {"[MQTT-2.2.1-3] PUBACK packet id 0", v311, {0x40, 0x02, 0x00, 0x00}, protocol},
      {"[2.1.4] PUBACK with 3 bytes (3.1.1)", v311, {0x40, 0x03, 0x00, 0x01, 0x00}, malformed},
      {"[2.1.4] PUBREC with 1 byte", v5, {0x50, 0x01, 0x00}, malformed},
      {"[3.4.2.1] PUBACK reason code 0x05", v5, {0x40, 0x03, 0x00, 0x01, 0x05}, malformed},
      {"[3.6.2.1] PUBREL reason code 0x10", v5, {0x62, 0x03, 0x00, 0x01, 0x10}, malformed},
      // SUBSCRIBE and SUBACK.
      {"[MQTT-2.2.1-3] SUBSCRIBE packet id 0", v311, framed(0x82, {0x00, 0x00, 0x00, 0x01, 'a', 0x00}), protocol},
      {"[MQTT-3.8.3-3] SUBSCRIBE without topics", v311, {0x82, 0x02, 0x00, 0x01}, protocol},
      {"[MQTT-3.8.3-3] SUBSCRIBE without topics (v5)", v5, {0x82, 0x03, 0x00, 0x01, 0x00}, protocol},
      {"[MQTT-3-8.3-4] reserved subscription bits (3.1.1)", v311, framed(0x82, {0x00, 0x01, 0x00, 0x01, 'a', 0x04}),
       malformed},
      {"[MQTT-3-8.3-4] requested QoS 3 (3.1.1)", v311, framed(0x82, {0x00, 0x01, 0x00, 0x01, 'a', 0x03}), malformed},
      {"[MQTT-3-8.3-4] requested QoS 3 (3.1)", v31, framed(0x82, {0x00, 0x01, 0x00, 0x01, 'a', 0x03}), malformed},
      {"[MQTT-3.8.3-5] reserved subscription option bits", v5,
       framed(0x82, {0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x40}), malformed},
      {"[3.8.3.1] retain handling 3", v5, framed(0x82, {0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x30}), protocol},
      {"[3.8.3.1] maximum QoS 3", v5, framed(0x82, {0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x03}), protocol},
      {"[2.1.4] filter without options byte", v311, framed(0x82, {0x00, 0x01, 0x00, 0x01, 'a'}), malformed},
      {"[3.8.2.1.2] subscription identifier twice in SUBSCRIBE", v5,
       framed(0x82, {0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01, 'a', 0x00}), protocol},
      {"[2.2.2.2] topic alias in SUBSCRIBE", v5,
       framed(0x82, {0x00, 0x01, 0x03, 0x23, 0x00, 0x01, 0x00, 0x01, 'a', 0x00}), malformed},
      {"[3.9.3] SUBACK return code 0x03 (3.1.1)", v311, {0x90, 0x03, 0x00, 0x01, 0x03}, malformed},
      {"[3.9.3] SUBACK reason code 0x11 (v5)", v5, {0x90, 0x04, 0x00, 0x01, 0x00, 0x11}, malformed},
      {"[3.9.3] SUBACK without codes", v311, {0x90, 0x02, 0x00, 0x01}, protocol},
      // UNSUBSCRIBE and UNSUBACK.
      {"[MQTT-2.2.1-3] UNSUBSCRIBE packet id 0", v311, framed(0xA2, {0x00, 0x00, 0x00, 0x01, 'a'}), protocol},
      {"[MQTT-3.10.3-2] UNSUBSCRIBE without topics", v311, {0xA2, 0x02, 0x00, 0x01}, protocol},
      {"[MQTT-3.10.3-2] UNSUBSCRIBE without topics (v5)", v5, {0xA2, 0x03, 0x00, 0x01, 0x00}, protocol},
      {"[2.1.4] UNSUBACK with payload (3.1.1)", v311, {0xB0, 0x03, 0x00, 0x01, 0x00}, malformed},
      {"[3.11.3] UNSUBACK reason code 0x01", v5, {0xB0, 0x04, 0x00, 0x01, 0x00, 0x01}, malformed},
      // PINGREQ, PINGRESP, DISCONNECT, AUTH.
      {"[2.1.4] PINGREQ with payload", v311, {0xC0, 0x01, 0x00}, malformed},
      {"[2.1.4] PINGRESP with payload", v5, {0xD0, 0x01, 0x00}, malformed},
      {"[2.1.4] DISCONNECT with payload (3.1.1)", v311, {0xE0, 0x01, 0x00}, malformed},
      {"[3.14.2.1] DISCONNECT reason code 0x05", v5, {0xE0, 0x01, 0x05}, malformed},
      {"[2.2.2.2] DISCONNECT with topic alias", v5, {0xE0, 0x05, 0x00, 0x03, 0x23, 0x00, 0x01}, malformed},
      {"[2.2.2.1] AUTH user property truncated", v5, {0xF0, 0x03, 0x18, 0x01, 0x26}, malformed},
      {"[3.15.2.1] AUTH reason code 0x04", v5, {0xF0, 0x02, 0x04, 0x00}, malformed},
  };
}

class Malformed : public ::testing::TestWithParam<row> {};

TEST_P(Malformed, IsRejectedWithTheRuleReasonCode) {
  const row& r = GetParam();
  const auto result = decode(r.wire, r.version);
  ASSERT_FALSE(result.has_value()) << r.rule << ": accepted " << hex(r.wire);
  EXPECT_EQ(static_cast<int>(result.error().code), static_cast<int>(r.expected))
      << r.rule << ": got " << to_string(result.error().code) << " (" << result.error().what << ") for "
      << hex(r.wire);
  EXPECT_FALSE(result.error().what.empty()) << r.rule;
}

INSTANTIATE_TEST_SUITE_P(Rules, Malformed, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<row>& param) {
                           std::string name = "row" + std::to_string(param.index) + "_";
                           for (const char* c = param.param.rule; *c != '\0'; ++c) {
                             name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           }
                           return name;
                         });

// Allowed edge cases next to the rules above: they must decode.
TEST(MalformedNeighbours, AcceptedEdgeCases) {
  // Topic Alias 0 is decoded; the broker answers it with 0x94.
  publish p;
  p.topic = "t";
  p.props.topic_alias = 0;
  p.payload = pl("");
  expect_decodes_to(publish_v5_with({0x23, 0x00, 0x00}), v5, p);
  // DUP with QoS 0 is tolerated in 3.1.1, where no reaction is prescribed.
  publish d;
  d.dup = true;
  d.topic = "t";
  d.payload = pl("");
  expect_decodes_to(framed(0x38, {0x00, 0x01, 't'}), v311, d);
  // User Property may repeat ([2.2.2.2]), order kept.
  publish u;
  u.topic = "t";
  u.props.user_properties = {{"a", "1"}, {"a", "2"}};
  u.payload = pl("");
  expect_decodes_to(
      publish_v5_with({0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1', 0x26, 0x00, 0x01, 'a', 0x00, 0x01, '2'}), v5, u);
  // AUTH with Remaining Length 1: a code and no properties.
  expect_decodes_to({0xF0, 0x01, 0x18}, v5, auth{reason_code::continue_authentication, {}});
}

}  // namespace
}  // namespace gridmq::protocol::test
