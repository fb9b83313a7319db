// CONNECT (3.1) and CONNACK (3.2) decoding, for 3.1, 3.1.1 and 5.0.
#include <memory>

#include "protocol/decoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/reason_code_sets.hpp"

namespace gridmq::protocol {

namespace {

struct connect_flags {
  bool username = false;
  bool password = false;
  bool will_retain = false;
  std::uint8_t will_qos = 0;
  bool will = false;
  bool clean_start = false;
};

// [MQTT-3.1.2-1] [MQTT-3.1.2-2] the protocol name and level fix the version.
bool read_protocol(wire_reader& r, protocol_version& v) {
  std::string_view name;
  std::uint8_t level = 0;
  if (!r.read_utf8_view(name) || !r.read_u8(level)) return false;
  const bool is_mqtt = name == "MQTT";
  if (!is_mqtt && name != "MQIsdp") return r.fail(reason_code::protocol_error, "[MQTT-3.1.2-1] unknown protocol name");
  if (is_mqtt && (level == 4 || level == 5)) {
    v = static_cast<protocol_version>(level);
    return true;
  }
  if (!is_mqtt && level == 3) {
    v = protocol_version::v31;
    return true;
  }
  return r.fail(reason_code::unsupported_protocol_version, "[MQTT-3.1.2-2] unsupported protocol level");
}

bool read_connect_flags(wire_reader& r, protocol_version v, connect_flags& f) {
  std::uint8_t b = 0;
  if (!r.read_u8(b)) return false;
  f.username = (b & 0x80) != 0;
  f.password = (b & 0x40) != 0;
  f.will_retain = (b & 0x20) != 0;
  f.will_qos = static_cast<std::uint8_t>((b >> 3) & 0x03);
  f.will = (b & 0x04) != 0;
  f.clean_start = (b & 0x02) != 0;
  if ((b & 0x01) != 0) return r.fail(reason_code::malformed_packet, "[MQTT-3.1.2-3] reserved connect flag set");
  if (!f.will && f.will_qos != 0) return r.fail(reason_code::malformed_packet, "[MQTT-3.1.2-11] will QoS without will");
  if (!f.will && f.will_retain) {
    return r.fail(reason_code::malformed_packet, "[MQTT-3.1.2-13] will retain without will");
  }
  if (f.will_qos == 3) return r.fail(reason_code::malformed_packet, "[MQTT-3.1.2-12] will QoS 3");
  // 3.1 and 5.0 allow a password without a user name; 3.1.1 does not.
  if (v == protocol_version::v311 && f.password && !f.username) {
    return r.fail(reason_code::malformed_packet, "[MQTT-3.1.2-22] password without user name");
  }
  return true;
}

bool read_will(wire_reader& r, protocol_version v, const connect_flags& f, will& w) {
  w.qos_level = static_cast<qos>(f.will_qos);
  w.retain = f.will_retain;
  if (is_v5(v) && !decode_properties(r, property_context::will, w.props)) return false;
  std::string_view payload;
  if (!r.read_utf8(w.topic)) return false;
  // The Will Topic is a Topic Name: at least one character, no wildcards.
  if (w.topic.empty() || has_wildcard(w.topic)) {
    return r.fail(reason_code::topic_name_invalid, "[MQTT-4.7.3-1] will topic is not a topic name");
  }
  if (!r.read_binary_view(payload)) return false;
  w.payload = std::make_shared<const std::string>(payload);
  return true;
}

reason_code from_v311_connack(std::uint8_t rc) noexcept {
  switch (rc) {
    case 1: return reason_code::unsupported_protocol_version;
    case 2: return reason_code::client_identifier_not_valid;
    case 3: return reason_code::server_unavailable;
    case 4: return reason_code::bad_user_name_or_password;
    case 5: return reason_code::not_authorized;
    default: return reason_code::success;
  }
}

}  // namespace

bool decode_connect(wire_reader& r, connect& out) {
  connect_flags f;
  if (!read_protocol(r, out.version) || !read_connect_flags(r, out.version, f)) return false;
  out.clean_start = f.clean_start;
  if (!r.read_u16(out.keep_alive)) return false;
  if (is_v5(out.version) && !decode_properties(r, property_context::connect, out.props)) return false;
  // [MQTT-3.1.3-1] payload order: client id, will, user name, password
  if (!r.read_utf8(out.client_id)) return false;
  if (f.will && !read_will(r, out.version, f, out.will_message.emplace())) return false;
  if (f.username && !r.read_utf8(out.username.emplace())) return false;
  if (f.password && !r.read_binary(out.password.emplace())) return false;
  return true;
}

bool decode_connack(wire_reader& r, protocol_version v, connack& out) {
  std::uint8_t ack_flags = 0;
  std::uint8_t code = 0;
  if (!r.read_u8(ack_flags) || !r.read_u8(code)) return false;
  if ((ack_flags & 0xFE) != 0) return r.fail(reason_code::malformed_packet, "[MQTT-3.2.2-1] reserved ack flags set");
  // 3.1 has no Session Present flag: the byte is unused there.
  out.session_present = v != protocol_version::v31 && (ack_flags & 0x01) != 0;
  if (is_v5(v)) {
    if (!connack_codes.contains(code)) return r.fail(reason_code::malformed_packet, "[3.2.2.2] invalid reason code");
    out.code = static_cast<reason_code>(code);
    if (!decode_properties(r, property_context::connack, out.props)) return false;
  } else {
    if (code > 5) return r.fail(reason_code::malformed_packet, "[3.2.2.3] invalid return code");
    out.code = from_v311_connack(code);
  }
  // [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]) a refusal never has a session
  if (out.session_present && out.code != reason_code::success) {
    return r.fail(reason_code::protocol_error, "[MQTT-3.2.2-6] session present on a refused connection");
  }
  return true;
}

}  // namespace gridmq::protocol
