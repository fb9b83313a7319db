// PUBLISH and PUBACK/PUBREC/PUBREL/PUBCOMP encoding: the hot path, so each
// computes its size, reserves once and appends without temporaries.
#include "protocol/codec.hpp"
#include "protocol/encoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/wire_writer.hpp"

namespace gridmq::protocol {

namespace {

std::uint8_t publish_flags(const publish& p) noexcept {
  auto f = static_cast<std::uint8_t>((static_cast<std::uint8_t>(p.qos_level) & 0x03) << 1);
  if (p.dup) f |= 0x08;
  if (p.retain) f |= 0x01;
  return f;
}

std::size_t payload_size(const publish& p) noexcept { return p.payload ? p.payload->size() : 0; }

struct publish_layout {
  std::size_t props = 0;             // property list bytes (v5)
  std::size_t header_remaining = 0;  // variable header, with the property length
  std::size_t remaining = 0;         // Remaining Length: header_remaining + payload
};

publish_layout layout_of(const publish& p, protocol_version v) noexcept {
  publish_layout l;
  const bool v5 = v == protocol_version::v5;
  l.props = v5 ? properties_size(p.props, property_context::publish) : 0;
  l.header_remaining = field_size(p.topic) + (p.qos_level != qos::at_most_once ? 2 : 0);
  if (v5) l.header_remaining += varint_size(static_cast<std::uint32_t>(l.props)) + l.props;
  l.remaining = l.header_remaining + payload_size(p);
  return l;
}

// Everything but the payload; the Remaining Length counts the payload.
// `with_payload` also reserves room for the payload.
void append_publish_header(const publish& p, protocol_version v, std::string& out, bool with_payload) {
  const publish_layout l = layout_of(p, v);
  append_fixed_header(out, packet_type::publish, publish_flags(p), l.remaining,
                      with_payload ? l.remaining : l.header_remaining);
  append_field(out, p.topic);
  if (p.qos_level != qos::at_most_once) append_u16(out, p.packet_id);
  if (v == protocol_version::v5) append_properties(out, p.props, property_context::publish, l.props);
}

}  // namespace

void encode_publish(const publish& p, protocol_version v, std::string& out) {
  append_publish_header(p, v, out, true);
  if (p.payload) out.append(*p.payload);
}

void encode_publish_header(const publish& p, protocol_version v, std::string& out) {
  append_publish_header(p, v, out, false);
}

std::size_t publish_header_size(const publish& p, protocol_version v) noexcept {
  const publish_layout l = layout_of(p, v);
  return 1 + varint_size(static_cast<std::uint32_t>(l.remaining)) + l.header_remaining;
}

namespace {

// Per-delivery properties appended after the forwarded ones (order is free
// in MQTT 5): Topic Alias, Message Expiry Interval, Subscription Identifiers.
std::size_t delivery_props_size(const publish_view& p) noexcept {
  std::size_t n = 0;
  if (p.topic_alias != 0) n += 3;
  if (p.message_expiry_interval) n += 5;
  for (auto id : p.subscription_ids) n += 1 + varint_size(id);
  return n;
}

struct view_layout {
  std::size_t forwarded = 0;
  std::size_t props = 0;
  std::size_t header_remaining = 0;
  std::size_t remaining = 0;
};

view_layout layout_of(const publish_view& p, protocol_version v) noexcept {
  view_layout l;
  l.header_remaining = field_size(p.topic) + (p.qos_level != qos::at_most_once ? 2 : 0);
  if (v == protocol_version::v5) {
    l.forwarded = p.forwarded ? properties_size(*p.forwarded, property_context::publish) : 0;
    l.props = l.forwarded + delivery_props_size(p);
    l.header_remaining += varint_size(static_cast<std::uint32_t>(l.props)) + l.props;
  }
  l.remaining = l.header_remaining + p.payload_size;
  return l;
}

}  // namespace

void encode_publish_header(const publish_view& p, protocol_version v, std::string& out) {
  const view_layout l = layout_of(p, v);
  auto flags = static_cast<std::uint8_t>((static_cast<std::uint8_t>(p.qos_level) & 0x03) << 1);
  if (p.dup) flags |= 0x08;
  if (p.retain) flags |= 0x01;
  append_fixed_header(out, packet_type::publish, flags, l.remaining, l.header_remaining);
  append_field(out, p.topic);
  if (p.qos_level != qos::at_most_once) append_u16(out, p.packet_id);
  if (v != protocol_version::v5) return;
  append_varint(out, static_cast<std::uint32_t>(l.props));
  if (l.forwarded != 0) append_property_list(out, *p.forwarded, property_context::publish);
  if (p.topic_alias != 0) {
    append_u8(out, static_cast<std::uint8_t>(property_id::topic_alias));
    append_u16(out, p.topic_alias);
  }
  if (p.message_expiry_interval) {
    append_u8(out, static_cast<std::uint8_t>(property_id::message_expiry_interval));
    append_u32(out, *p.message_expiry_interval);
  }
  for (auto id : p.subscription_ids) {
    append_u8(out, static_cast<std::uint8_t>(property_id::subscription_identifier));
    append_varint(out, id);
  }
}

std::size_t publish_header_size(const publish_view& p, protocol_version v) noexcept {
  const view_layout l = layout_of(p, v);
  return 1 + varint_size(static_cast<std::uint32_t>(l.remaining)) + l.header_remaining;
}

void encode_pub_response(packet_type type, std::uint16_t packet_id, reason_code code, const properties& props,
                         protocol_version v, std::string& out) {
  const std::uint8_t flags = type == packet_type::pubrel ? 0x02 : 0x00;  // [MQTT-3.6.1-1]
  const std::size_t list = v == protocol_version::v5 ? properties_size(props, property_context::pub_response) : 0;
  // [3.4.2.1] shortest form: Remaining Length 2 for Success without
  // properties, 3 for a reason code without properties.
  const bool with_code = v == protocol_version::v5 && (code != reason_code::success || list != 0);
  std::size_t remaining = 2 + (with_code ? 1 : 0);
  if (list != 0) remaining += varint_size(static_cast<std::uint32_t>(list)) + list;
  append_fixed_header(out, type, flags, remaining);
  append_u16(out, packet_id);
  if (with_code) append_u8(out, static_cast<std::uint8_t>(code));
  if (list != 0) append_properties(out, props, property_context::pub_response, list);
}

}  // namespace gridmq::protocol
