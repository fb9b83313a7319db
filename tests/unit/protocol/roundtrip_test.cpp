// Property test: random valid packets of every type and version survive
// encode -> decode unchanged, and re-encoding gives the same bytes.
// Fixed seed and bounded iterations, so a failure reproduces.
#include <random>

#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

class generator {
 public:
  explicit generator(std::uint32_t seed) : rng_(seed) {}

  packet any(protocol_version v) {
    switch (uniform(1, is_v5(v) ? 15 : 14)) {
      case 1: return make_connect(v);
      case 2: return make_connack(v);
      case 3: return make_publish(v);
      case 4: return response<puback>(v, puback_codes_);
      case 5: return response<pubrec>(v, puback_codes_);
      case 6: return response<pubrel>(v, pubrel_codes_);
      case 7: return response<pubcomp>(v, pubrel_codes_);
      case 8: return make_subscribe(v);
      case 9: return make_suback(v);
      case 10: return make_unsubscribe(v);
      case 11: return make_unsuback(v);
      case 12: return pingreq{};
      case 13: return pingresp{};
      case 14: return make_disconnect(v);
      default: return make_auth();
    }
  }

 private:
  static bool is_v5(protocol_version v) { return v == protocol_version::v5; }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }
  template <class T>
  T pick(const std::vector<T>& from) {
    return from[static_cast<std::size_t>(uniform(0, static_cast<int>(from.size()) - 1))];
  }

  // Valid UTF-8 without NUL: ASCII, 2-, 3- and 4-byte characters.
  std::string text(int max_chars, bool topic_name = false) {
    static const std::vector<std::string> pieces{"a", "b", "Z", "0", "/", "-", " ", "\xC3\xA9", "\xE2\x82\xAC",
                                                 "\xF0\x9F\x98\x80", "+", "#", "$"};
    std::string s;
    const int n = uniform(0, max_chars);
    for (int i = 0; i < n; ++i) {
      std::string p = pick(pieces);
      if (topic_name && (p == "+" || p == "#")) p = "x";
      s += p;
    }
    return s;
  }
  std::string topic_name() { return "t" + text(12, true); }
  std::string binary(int max_len) {
    std::string s(static_cast<std::size_t>(uniform(0, max_len)), '\0');
    for (char& c : s) c = static_cast<char>(uniform(0, 255));
    return s;
  }
  std::uint16_t packet_id() { return static_cast<std::uint16_t>(uniform(1, 65535)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uniform(0, 0x7FFFFFFF)) * (chance(50) ? 2u : 1u); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(uniform(0, 65535)); }
  std::uint8_t flag() { return static_cast<std::uint8_t>(uniform(0, 1)); }
  reason_code code(const std::vector<int>& from) { return static_cast<reason_code>(pick(from)); }

  void user_props(properties& p) {
    const int n = chance(30) ? uniform(1, 3) : 0;
    for (int i = 0; i < n; ++i) p.user_properties.push_back({text(5), text(5)});
  }

  properties connect_props() {
    properties p;
    if (chance(40)) p.session_expiry_interval = u32();
    if (chance(40)) p.receive_maximum = static_cast<std::uint16_t>(uniform(1, 65535));
    if (chance(40)) p.maximum_packet_size = static_cast<std::uint32_t>(uniform(1, 0x7FFFFFFF));
    if (chance(40)) p.topic_alias_maximum = u16();
    if (chance(40)) p.request_response_information = flag();
    if (chance(40)) p.request_problem_information = flag();
    if (chance(30)) {
      p.authentication_method = text(8);
      if (chance(50)) p.authentication_data = binary(8);
    }
    user_props(p);
    return p;
  }

  properties message_props(bool is_will) {
    properties p;
    if (chance(40)) p.payload_format_indicator = flag();
    if (chance(40)) p.message_expiry_interval = u32();
    if (chance(40)) p.content_type = text(8);
    if (chance(40)) p.response_topic = topic_name();
    if (chance(40)) p.correlation_data = binary(8);
    if (is_will && chance(40)) p.will_delay_interval = u32();
    if (!is_will && chance(30)) {
      const int n = uniform(1, 3);
      for (int i = 0; i < n; ++i) p.subscription_identifiers.push_back(static_cast<std::uint32_t>(uniform(1, 268435455)));
    }
    if (!is_will && chance(30)) p.topic_alias = u16();
    user_props(p);
    return p;
  }

  properties reason_props() {
    properties p;
    if (chance(40)) p.reason_string = text(10);
    user_props(p);
    return p;
  }

  packet make_connect(protocol_version v) {
    connect c;
    c.version = v;
    c.clean_start = chance(50);
    c.keep_alive = u16();
    c.client_id = text(10);
    if (is_v5(v)) c.props = connect_props();
    if (chance(50)) {
      will w;
      w.topic = topic_name();
      w.payload = pl(binary(20));
      w.qos_level = static_cast<qos>(uniform(0, 2));
      w.retain = chance(50);
      if (is_v5(v)) w.props = message_props(true);
      c.will_message = w;
    }
    if (chance(50)) c.username = text(6);
    // [MQTT-3.1.2-22] only 3.1.1 needs a user name with a password
    if (chance(50) && (c.username || v != protocol_version::v311)) c.password = binary(6);
    return c;
  }

  packet make_connack(protocol_version v) {
    connack a;
    if (is_v5(v)) {
      a.code = code({0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
                     0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
      if (chance(40)) a.props.session_expiry_interval = u32();
      if (chance(40)) a.props.receive_maximum = static_cast<std::uint16_t>(uniform(1, 65535));
      if (chance(40)) a.props.maximum_qos = flag();
      if (chance(40)) a.props.retain_available = flag();
      if (chance(40)) a.props.maximum_packet_size = static_cast<std::uint32_t>(uniform(1, 100000));
      if (chance(40)) a.props.assigned_client_identifier = text(10);
      if (chance(40)) a.props.topic_alias_maximum = u16();
      if (chance(40)) a.props.wildcard_subscription_available = flag();
      if (chance(40)) a.props.subscription_identifier_available = flag();
      if (chance(40)) a.props.shared_subscription_available = flag();
      if (chance(40)) a.props.server_keep_alive = u16();
      if (chance(40)) a.props.response_information = text(6);
      if (chance(40)) a.props.server_reference = text(6);
      if (chance(40)) a.props.reason_string = text(6);
      user_props(a.props);
    } else {
      a.code = code({0x00, 0x84, 0x85, 0x88, 0x86, 0x87});  // the six 3.1.1 return codes
    }
    a.session_present = a.code == reason_code::success && v != protocol_version::v31 && chance(50);
    return a;
  }

  packet make_publish(protocol_version v) {
    publish p;
    p.qos_level = static_cast<qos>(uniform(0, 2));
    p.dup = (p.qos_level != qos::at_most_once || !is_v5(v)) && chance(30);
    p.retain = chance(50);
    if (p.qos_level != qos::at_most_once) p.packet_id = packet_id();
    if (is_v5(v)) p.props = message_props(false);
    p.topic = is_v5(v) && p.props.topic_alias && chance(30) ? std::string() : topic_name();
    p.payload = pl(binary(chance(5) ? 300 : 30));
    return p;
  }

  template <class R>
  packet response(protocol_version v, const std::vector<int>& codes) {
    R r{packet_id(), reason_code::success, {}};
    if (is_v5(v)) {
      if (chance(60)) r.code = code(codes);
      r.props = reason_props();
    }
    return r;
  }

  packet make_subscribe(protocol_version v) {
    subscribe s;
    s.packet_id = packet_id();
    if (is_v5(v)) {
      if (chance(40)) s.props.subscription_identifiers.push_back(static_cast<std::uint32_t>(uniform(1, 268435455)));
      user_props(s.props);
    }
    const int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) {
      subscription_request r;
      r.filter = text(10);
      r.options.max_qos = static_cast<qos>(uniform(0, 2));
      if (is_v5(v)) {
        r.options.no_local = chance(50);
        r.options.retain_as_published = chance(50);
        r.options.handling = static_cast<retain_handling>(uniform(0, 2));
      }
      s.topics.push_back(r);
    }
    return s;
  }

  packet make_suback(protocol_version v) {
    suback a;
    a.packet_id = packet_id();
    const int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) {
      a.codes.push_back(is_v5(v) ? code({0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2})
                                 : code({0x00, 0x01, 0x02, 0x80}));
    }
    if (is_v5(v)) a.props = reason_props();
    return a;
  }

  packet make_unsubscribe(protocol_version v) {
    unsubscribe u;
    u.packet_id = packet_id();
    const int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) u.filters.push_back(text(10));
    if (is_v5(v)) user_props(u.props);
    return u;
  }

  packet make_unsuback(protocol_version v) {
    unsuback a;
    a.packet_id = packet_id();
    if (!is_v5(v)) return a;
    const int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) a.codes.push_back(code({0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91}));
    a.props = reason_props();
    return a;
  }

  packet make_disconnect(protocol_version v) {
    disconnect d;
    if (!is_v5(v)) return d;
    if (chance(60)) {
      d.code = code({0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
                     0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2});
    }
    if (chance(30)) d.props.session_expiry_interval = u32();
    if (chance(30)) d.props.server_reference = text(8);
    d.props.reason_string = chance(30) ? std::optional<std::string>(text(8)) : std::nullopt;
    user_props(d.props);
    return d;
  }

  packet make_auth() {
    auth a;
    if (chance(60)) a.code = code({0x00, 0x18, 0x19});
    if (chance(50)) a.props.authentication_method = text(8);
    if (chance(50)) a.props.authentication_data = binary(8);
    if (chance(30)) a.props.reason_string = text(8);
    user_props(a.props);
    return a;
  }

  std::mt19937 rng_;
  const std::vector<int> puback_codes_{0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
  const std::vector<int> pubrel_codes_{0x00, 0x92};
};

constexpr int iterations_per_version = 3000;

TEST(RoundTrip, RandomPacketsOfEveryVersion) {
  for (protocol_version v : {protocol_version::v31, protocol_version::v311, protocol_version::v5}) {
    generator gen(0x6D71 + static_cast<std::uint32_t>(v));
    for (int i = 0; i < iterations_per_version; ++i) {
      const packet original = gen.any(v);
      std::string wire;
      encode(original, v, wire);
      const auto decoded = decode(as_span(wire), v);
      ASSERT_TRUE(decoded.has_value()) << "version " << int(v) << " iteration " << i << ": "
                                       << to_string(decoded.error().code) << " (" << decoded.error().what
                                       << ") on " << hex(wire);
      ASSERT_TRUE(equal_content(*decoded, original)) << "version " << int(v) << " iteration " << i << ": "
                                                     << hex(wire);
      std::string again;
      encode(*decoded, v, again);
      ASSERT_EQ(hex(again), hex(wire));
      if (const auto* p = std::get_if<publish>(&original)) {
        std::string header;
        encode_publish_header(*p, v, header);
        ASSERT_EQ(publish_header_size(*p, v), header.size());
        ASSERT_EQ(header + *p->payload, wire);
      }
      // Framing agrees with the encoder.
      const auto f = next_frame(as_span(wire), 1u << 28);
      ASSERT_EQ(f.status, frame_status::complete);
      ASSERT_EQ(f.f.total(), wire.size());
    }
  }
}

TEST(RoundTrip, StreamOfPacketsIsCutByNextFrame) {
  generator gen(7);
  std::vector<packet> sent;
  std::string stream;
  for (int i = 0; i < 200; ++i) {
    sent.push_back(gen.any(protocol_version::v5));
    encode(sent.back(), protocol_version::v5, stream);
  }
  std::span<const std::uint8_t> rest = as_span(stream);
  for (const packet& expected : sent) {
    const auto f = next_frame(rest, 1u << 28);
    ASSERT_EQ(f.status, frame_status::complete);
    const auto decoded = decode(rest.first(f.f.total()), protocol_version::v5);
    ASSERT_TRUE(decoded.has_value());
    ASSERT_TRUE(equal_content(*decoded, expected));
    rest = rest.subspan(f.f.total());
  }
  EXPECT_TRUE(rest.empty());
}

}  // namespace
}  // namespace gridmq::protocol::test
