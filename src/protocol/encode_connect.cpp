// CONNECT and CONNACK encoding for 3.1, 3.1.1 and 5.0.
#include "protocol/codec.hpp"
#include "protocol/encoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/wire_writer.hpp"

namespace gridmq::protocol {

namespace {

constexpr std::string_view protocol_name(protocol_version v) noexcept {
  return v == protocol_version::v31 ? "MQIsdp" : "MQTT";
}

std::uint8_t connect_flags(const connect& p) noexcept {
  std::uint8_t f = 0;
  if (p.username) f |= 0x80;
  if (p.password) f |= 0x40;
  if (p.clean_start) f |= 0x02;
  if (p.will_message) {
    f |= 0x04;
    f |= static_cast<std::uint8_t>((static_cast<std::uint8_t>(p.will_message->qos_level) & 0x03) << 3);
    if (p.will_message->retain) f |= 0x20;
  }
  return f;
}

std::string_view payload_of(const payload_ptr& payload) noexcept {
  return payload ? std::string_view(*payload) : std::string_view();
}

}  // namespace

void encode_connect(const connect& p, protocol_version v, std::string& out) {
  const bool v5 = v == protocol_version::v5;
  const std::size_t props = v5 ? properties_size(p.props, property_context::connect) : 0;
  const std::size_t will_props =
      v5 && p.will_message ? properties_size(p.will_message->props, property_context::will) : 0;
  std::size_t remaining = field_size(protocol_name(v)) + 1 + 1 + 2 + field_size(p.client_id);
  if (v5) remaining += varint_size(static_cast<std::uint32_t>(props)) + props;
  if (p.will_message) {
    remaining += field_size(p.will_message->topic) + field_size(payload_of(p.will_message->payload));
    if (v5) remaining += varint_size(static_cast<std::uint32_t>(will_props)) + will_props;
  }
  if (p.username) remaining += field_size(*p.username);
  if (p.password) remaining += field_size(*p.password);

  append_fixed_header(out, packet_type::connect, 0, remaining);
  append_field(out, protocol_name(v));
  append_u8(out, static_cast<std::uint8_t>(v));
  append_u8(out, connect_flags(p));
  append_u16(out, p.keep_alive);
  if (v5) append_properties(out, p.props, property_context::connect, props);
  append_field(out, p.client_id);
  if (p.will_message) {
    if (v5) append_properties(out, p.will_message->props, property_context::will, will_props);
    append_field(out, p.will_message->topic);
    append_field(out, payload_of(p.will_message->payload));
  }
  if (p.username) append_field(out, *p.username);
  if (p.password) append_field(out, *p.password);
}

void encode_connack(const connack& p, protocol_version v, std::string& out) {
  // [MQTT-3.2.2-6] a refused connection never has a session; 3.1 has no flag
  const bool session_present = p.session_present && p.code == reason_code::success && v != protocol_version::v31;
  if (v != protocol_version::v5) {
    append_fixed_header(out, packet_type::connack, 0, 2);
    append_u8(out, session_present ? 1 : 0);
    append_u8(out, static_cast<std::uint8_t>(to_v311_connack(p.code)));
    return;
  }
  const std::size_t props = properties_size(p.props, property_context::connack);
  append_fixed_header(out, packet_type::connack, 0, 2 + varint_size(static_cast<std::uint32_t>(props)) + props);
  append_u8(out, session_present ? 1 : 0);
  append_u8(out, static_cast<std::uint8_t>(p.code));
  append_properties(out, p.props, property_context::connack, props);
}

}  // namespace gridmq::protocol
