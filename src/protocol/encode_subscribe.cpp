// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK encoding.
#include "protocol/codec.hpp"
#include "protocol/encoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/wire_writer.hpp"

namespace gridmq::protocol {

namespace {

std::uint8_t options_byte(const subscribe_options& o, protocol_version v) noexcept {
  auto b = static_cast<std::uint8_t>(static_cast<std::uint8_t>(o.max_qos) & 0x03);
  if (v != protocol_version::v5) return b;  // 3.1.1: the requested QoS only
  if (o.no_local) b |= 0x04;
  if (o.retain_as_published) b |= 0x08;
  b |= static_cast<std::uint8_t>((static_cast<std::uint8_t>(o.handling) & 0x03) << 4);
  return b;
}

// 3.1.1 SUBACK return codes (3.9.3): granted QoS 0..2, or 0x80 for any failure.
std::uint8_t v311_suback_code(reason_code c) noexcept {
  const auto raw = static_cast<std::uint8_t>(c);
  return raw <= 0x02 ? raw : 0x80;
}

std::size_t properties_wire_size(std::size_t list) noexcept {
  return varint_size(static_cast<std::uint32_t>(list)) + list;
}

}  // namespace

void encode_subscribe(const subscribe& p, protocol_version v, std::string& out) {
  const bool v5 = v == protocol_version::v5;
  const std::size_t props = v5 ? properties_size(p.props, property_context::subscribe) : 0;
  std::size_t remaining = 2 + (v5 ? properties_wire_size(props) : 0);
  for (const subscription_request& s : p.topics) remaining += field_size(s.filter) + 1;
  append_fixed_header(out, packet_type::subscribe, 0x02, remaining);  // [MQTT-3.8.1-1]
  append_u16(out, p.packet_id);
  if (v5) append_properties(out, p.props, property_context::subscribe, props);
  for (const subscription_request& s : p.topics) {
    append_field(out, s.filter);
    append_u8(out, options_byte(s.options, v));
  }
}

void encode_suback(const suback& p, protocol_version v, std::string& out) {
  const bool v5 = v == protocol_version::v5;
  const std::size_t props = v5 ? properties_size(p.props, property_context::suback) : 0;
  const std::size_t remaining = 2 + (v5 ? properties_wire_size(props) : 0) + p.codes.size();
  append_fixed_header(out, packet_type::suback, 0, remaining);
  append_u16(out, p.packet_id);
  if (v5) append_properties(out, p.props, property_context::suback, props);
  for (reason_code c : p.codes) append_u8(out, v5 ? static_cast<std::uint8_t>(c) : v311_suback_code(c));
}

void encode_unsubscribe(const unsubscribe& p, protocol_version v, std::string& out) {
  const bool v5 = v == protocol_version::v5;
  const std::size_t props = v5 ? properties_size(p.props, property_context::unsubscribe) : 0;
  std::size_t remaining = 2 + (v5 ? properties_wire_size(props) : 0);
  for (const std::string& f : p.filters) remaining += field_size(f);
  append_fixed_header(out, packet_type::unsubscribe, 0x02, remaining);  // [MQTT-3.10.1-1]
  append_u16(out, p.packet_id);
  if (v5) append_properties(out, p.props, property_context::unsubscribe, props);
  for (const std::string& f : p.filters) append_field(out, f);
}

void encode_unsuback(const unsuback& p, protocol_version v, std::string& out) {
  if (v != protocol_version::v5) {  // 3.1.1: packet identifier only
    append_fixed_header(out, packet_type::unsuback, 0, 2);
    append_u16(out, p.packet_id);
    return;
  }
  const std::size_t props = properties_size(p.props, property_context::unsuback);
  append_fixed_header(out, packet_type::unsuback, 0, 2 + properties_wire_size(props) + p.codes.size());
  append_u16(out, p.packet_id);
  append_properties(out, p.props, property_context::unsuback, props);
  for (reason_code c : p.codes) append_u8(out, static_cast<std::uint8_t>(c));
}

}  // namespace gridmq::protocol
