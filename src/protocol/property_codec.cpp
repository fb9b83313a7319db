// Property lists. Design note: one visitor (visit_properties) walks the
// properties struct in a fixed order and names each present property's
// wire type; the size pass and the write pass are two visitors, so they can
// never disagree. Decoding dispatches on the identifier byte.
#include "protocol/property_codec.hpp"

#include <initializer_list>
#include <string_view>

#include "protocol/wire_writer.hpp"

namespace gridmq::protocol {

namespace {

using id = property_id;

constexpr std::uint64_t bits(std::initializer_list<id> ids) noexcept {
  std::uint64_t m = 0;
  for (id i : ids) m |= std::uint64_t{1} << static_cast<unsigned>(i);
  return m;
}

// Table 2.2.2.2 (Properties), read by packet; will properties: 3.1.3.2.
constexpr std::uint64_t allowed_mask(property_context ctx) noexcept {
  switch (ctx) {
    case property_context::connect:
      return bits({id::session_expiry_interval, id::receive_maximum, id::maximum_packet_size,
                   id::topic_alias_maximum, id::request_response_information, id::request_problem_information,
                   id::user_property, id::authentication_method, id::authentication_data});
    case property_context::will:
      return bits({id::will_delay_interval, id::payload_format_indicator, id::message_expiry_interval,
                   id::content_type, id::response_topic, id::correlation_data, id::user_property});
    case property_context::connack:
      return bits({id::session_expiry_interval, id::receive_maximum, id::maximum_qos, id::retain_available,
                   id::maximum_packet_size, id::assigned_client_identifier, id::topic_alias_maximum,
                   id::reason_string, id::user_property, id::wildcard_subscription_available,
                   id::subscription_identifier_available, id::shared_subscription_available, id::server_keep_alive,
                   id::response_information, id::server_reference, id::authentication_method,
                   id::authentication_data});
    case property_context::publish:
      return bits({id::payload_format_indicator, id::message_expiry_interval, id::topic_alias, id::response_topic,
                   id::correlation_data, id::user_property, id::subscription_identifier, id::content_type});
    case property_context::pub_response:
    case property_context::suback:
    case property_context::unsuback:
      return bits({id::reason_string, id::user_property});
    case property_context::subscribe:
      return bits({id::subscription_identifier, id::user_property});
    case property_context::unsubscribe:
      return bits({id::user_property});
    case property_context::disconnect:
      return bits({id::session_expiry_interval, id::reason_string, id::user_property, id::server_reference});
    case property_context::auth:
      return bits({id::authentication_method, id::authentication_data, id::reason_string, id::user_property});
  }
  return 0;
}

// Every identifier of 2.2.2.2, whichever packet carries it.
constexpr std::uint64_t known_mask = allowed_mask(property_context::connect) | allowed_mask(property_context::will) |
                                     allowed_mask(property_context::connack) |
                                     allowed_mask(property_context::publish) | allowed_mask(property_context::auth) |
                                     allowed_mask(property_context::disconnect);

constexpr std::uint32_t max_varint = 268435455;

// ---- decoding -------------------------------------------------------------

constexpr std::string_view duplicate_what = "[2.2.2.2] property included more than once";

template <class T>
bool store_once(wire_reader& r, std::optional<T>& slot, T value) {
  if (slot.has_value()) return r.fail(reason_code::protocol_error, duplicate_what);
  slot = std::move(value);
  return true;
}

// Properties whose value must be 0 or 1 (3.1.2.11.6, 3.1.2.11.7, 3.2.2.3.4,
// 3.2.2.3.5, 3.2.2.3.11..13, 3.3.2.3.2).
bool read_flag_byte(wire_reader& r, std::optional<std::uint8_t>& slot) {
  std::uint8_t v = 0;
  if (!r.read_u8(v)) return false;
  if (v > 1) return r.fail(reason_code::protocol_error, "property value must be 0 or 1");
  return store_once(r, slot, v);
}

bool read_u16_prop(wire_reader& r, std::optional<std::uint16_t>& slot) {
  std::uint16_t v = 0;
  return r.read_u16(v) && store_once(r, slot, v);
}

bool read_u32_prop(wire_reader& r, std::optional<std::uint32_t>& slot) {
  std::uint32_t v = 0;
  return r.read_u32(v) && store_once(r, slot, v);
}

bool read_utf8_prop(wire_reader& r, std::optional<std::string>& slot) {
  std::string_view v;
  return r.read_utf8_view(v) && store_once(r, slot, std::string(v));
}

bool read_binary_prop(wire_reader& r, std::optional<std::string>& slot) {
  std::string_view v;
  return r.read_binary_view(v) && store_once(r, slot, std::string(v));
}

bool read_response_topic(wire_reader& r, std::optional<std::string>& slot) {
  std::string_view v;
  if (!r.read_utf8_view(v)) return false;
  // [MQTT-3.3.2-14] the Response Topic is a Topic Name, never a filter
  if (v.empty() || has_wildcard(v)) return r.fail(reason_code::protocol_error, "[MQTT-3.3.2-14] invalid Response Topic");
  return store_once(r, slot, std::string(v));
}

bool read_subscription_identifier(wire_reader& r, property_context ctx, properties& p) {
  std::uint32_t v = 0;
  if (!r.read_varint(v)) return false;
  if (v == 0) return r.fail(reason_code::protocol_error, "[3.3.2.3.8] Subscription Identifier 0");
  // Only a PUBLISH may carry several (one per matching subscription).
  if (ctx != property_context::publish && !p.subscription_identifiers.empty()) {
    return r.fail(reason_code::protocol_error, duplicate_what);
  }
  p.subscription_identifiers.push_back(v);
  return true;
}

bool read_nonzero_u16(wire_reader& r, std::optional<std::uint16_t>& slot, std::string_view what) {
  std::uint16_t v = 0;
  if (!r.read_u16(v)) return false;
  if (v == 0) return r.fail(reason_code::protocol_error, what);
  return store_once(r, slot, v);
}

bool read_nonzero_u32(wire_reader& r, std::optional<std::uint32_t>& slot, std::string_view what) {
  std::uint32_t v = 0;
  if (!r.read_u32(v)) return false;
  if (v == 0) return r.fail(reason_code::protocol_error, what);
  return store_once(r, slot, v);
}

bool read_user_property(wire_reader& r, properties& p) {
  std::string_view key;
  std::string_view value;
  if (!r.read_utf8_view(key) || !r.read_utf8_view(value)) return false;
  p.user_properties.push_back({std::string(key), std::string(value)});
  return true;
}

bool read_one(wire_reader& r, property_context ctx, id pid, properties& p) {
  switch (pid) {
    case id::payload_format_indicator: return read_flag_byte(r, p.payload_format_indicator);
    case id::message_expiry_interval: return read_u32_prop(r, p.message_expiry_interval);
    case id::content_type: return read_utf8_prop(r, p.content_type);
    case id::response_topic: return read_response_topic(r, p.response_topic);
    case id::correlation_data: return read_binary_prop(r, p.correlation_data);
    case id::subscription_identifier: return read_subscription_identifier(r, ctx, p);
    case id::session_expiry_interval: return read_u32_prop(r, p.session_expiry_interval);
    case id::assigned_client_identifier: return read_utf8_prop(r, p.assigned_client_identifier);
    case id::server_keep_alive: return read_u16_prop(r, p.server_keep_alive);
    case id::authentication_method: return read_utf8_prop(r, p.authentication_method);
    case id::authentication_data: return read_binary_prop(r, p.authentication_data);
    case id::request_problem_information: return read_flag_byte(r, p.request_problem_information);
    case id::will_delay_interval: return read_u32_prop(r, p.will_delay_interval);
    case id::request_response_information: return read_flag_byte(r, p.request_response_information);
    case id::response_information: return read_utf8_prop(r, p.response_information);
    case id::server_reference: return read_utf8_prop(r, p.server_reference);
    case id::reason_string: return read_utf8_prop(r, p.reason_string);
    case id::receive_maximum:
      return read_nonzero_u16(r, p.receive_maximum, "[3.1.2.11.3] Receive Maximum 0");
    case id::topic_alias_maximum: return read_u16_prop(r, p.topic_alias_maximum);
    case id::topic_alias: return read_u16_prop(r, p.topic_alias);  // 0 is the broker's to reject
    case id::maximum_qos: return read_flag_byte(r, p.maximum_qos);
    case id::retain_available: return read_flag_byte(r, p.retain_available);
    case id::user_property: return read_user_property(r, p);
    case id::maximum_packet_size:
      return read_nonzero_u32(r, p.maximum_packet_size, "[3.1.2.11.4] Maximum Packet Size 0");
    case id::wildcard_subscription_available: return read_flag_byte(r, p.wildcard_subscription_available);
    case id::subscription_identifier_available: return read_flag_byte(r, p.subscription_identifier_available);
    case id::shared_subscription_available: return read_flag_byte(r, p.shared_subscription_available);
  }
  return r.fail(reason_code::malformed_packet, "[2.2.2.2] unknown property identifier");
}

// ---- encoding -------------------------------------------------------------

// Calls v.byte / v.u16 / v.u32 / v.varint / v.field / v.pair for each present
// property, in one fixed order.
template <class V>
void visit_properties(const properties& p, V& v) {
  if (p.payload_format_indicator) v.byte(id::payload_format_indicator, *p.payload_format_indicator);
  if (p.message_expiry_interval) v.u32(id::message_expiry_interval, *p.message_expiry_interval);
  if (p.content_type) v.field(id::content_type, *p.content_type);
  if (p.response_topic) v.field(id::response_topic, *p.response_topic);
  if (p.correlation_data) v.field(id::correlation_data, *p.correlation_data);
  for (std::uint32_t s : p.subscription_identifiers) {
    // Only a PUBLISH carries several; elsewhere the first one is written.
    if (s == 0 || s > max_varint) continue;  // values the format cannot carry
    v.varint(id::subscription_identifier, s);
    if (!v.many_subscription_ids) break;
  }
  if (p.session_expiry_interval) v.u32(id::session_expiry_interval, *p.session_expiry_interval);
  if (p.assigned_client_identifier) v.field(id::assigned_client_identifier, *p.assigned_client_identifier);
  if (p.server_keep_alive) v.u16(id::server_keep_alive, *p.server_keep_alive);
  if (p.authentication_method) v.field(id::authentication_method, *p.authentication_method);
  if (p.authentication_data) v.field(id::authentication_data, *p.authentication_data);
  if (p.request_problem_information) v.byte(id::request_problem_information, *p.request_problem_information);
  if (p.will_delay_interval) v.u32(id::will_delay_interval, *p.will_delay_interval);
  if (p.request_response_information) v.byte(id::request_response_information, *p.request_response_information);
  if (p.response_information) v.field(id::response_information, *p.response_information);
  if (p.server_reference) v.field(id::server_reference, *p.server_reference);
  if (p.reason_string) v.field(id::reason_string, *p.reason_string);
  if (p.receive_maximum) v.u16(id::receive_maximum, *p.receive_maximum);
  if (p.topic_alias_maximum) v.u16(id::topic_alias_maximum, *p.topic_alias_maximum);
  if (p.topic_alias) v.u16(id::topic_alias, *p.topic_alias);
  if (p.maximum_qos) v.byte(id::maximum_qos, *p.maximum_qos);
  if (p.retain_available) v.byte(id::retain_available, *p.retain_available);
  for (const user_property& u : p.user_properties) v.pair(id::user_property, u.key, u.value);
  if (p.maximum_packet_size) v.u32(id::maximum_packet_size, *p.maximum_packet_size);
  if (p.wildcard_subscription_available) {
    v.byte(id::wildcard_subscription_available, *p.wildcard_subscription_available);
  }
  if (p.subscription_identifier_available) {
    v.byte(id::subscription_identifier_available, *p.subscription_identifier_available);
  }
  if (p.shared_subscription_available) v.byte(id::shared_subscription_available, *p.shared_subscription_available);
}

struct size_visitor {
  std::uint64_t mask;
  bool many_subscription_ids;
  std::size_t size = 0;
  bool on(id i) const noexcept { return (mask >> static_cast<unsigned>(i)) & 1u; }
  void byte(id i, std::uint8_t) { size += on(i) ? 2 : 0; }
  void u16(id i, std::uint16_t) { size += on(i) ? 3 : 0; }
  void u32(id i, std::uint32_t) { size += on(i) ? 5 : 0; }
  void varint(id i, std::uint32_t v) { size += on(i) ? 1 + varint_size(v) : 0; }
  void field(id i, std::string_view s) { size += on(i) ? 1 + field_size(s) : 0; }
  void pair(id i, std::string_view k, std::string_view v) { size += on(i) ? 1 + field_size(k) + field_size(v) : 0; }
};

struct write_visitor {
  std::uint64_t mask;
  bool many_subscription_ids;
  std::string& out;
  bool tag(id i) {
    if (((mask >> static_cast<unsigned>(i)) & 1u) == 0) return false;
    append_u8(out, static_cast<std::uint8_t>(i));
    return true;
  }
  void byte(id i, std::uint8_t v) {
    if (tag(i)) append_u8(out, v);
  }
  void u16(id i, std::uint16_t v) {
    if (tag(i)) append_u16(out, v);
  }
  void u32(id i, std::uint32_t v) {
    if (tag(i)) append_u32(out, v);
  }
  void varint(id i, std::uint32_t v) {
    if (tag(i)) append_varint(out, v);
  }
  void field(id i, std::string_view s) {
    if (tag(i)) append_field(out, s);
  }
  void pair(id i, std::string_view k, std::string_view v) {
    if (!tag(i)) return;
    append_field(out, k);
    append_field(out, v);
  }
};

}  // namespace

bool is_property_allowed(property_context ctx, property_id pid) noexcept {
  return (allowed_mask(ctx) >> static_cast<unsigned>(pid)) & 1u;
}

bool decode_properties(wire_reader& r, property_context ctx, properties& out) {
  std::uint32_t length = 0;
  wire_reader list(std::span<const std::uint8_t>{});
  if (!r.read_varint(length) || !r.split(length, list)) return false;
  const std::uint64_t mask = allowed_mask(ctx);
  while (!list.at_end()) {
    std::uint8_t raw = 0;
    list.read_u8(raw);  // cannot fail: the list is not at its end
    // [2.2.2.2] an identifier that is unknown or not valid for this packet is Malformed.
    if (raw >= 64 || ((known_mask >> raw) & 1u) == 0) {
      return r.fail(reason_code::malformed_packet, "[2.2.2.2] unknown property identifier");
    }
    if (((mask >> raw) & 1u) == 0) {
      return r.fail(reason_code::malformed_packet, "[2.2.2.2] property not valid for this packet");
    }
    if (!read_one(list, ctx, static_cast<id>(raw), out)) return r.fail(list.error());
  }
  if (ctx == property_context::connect && out.authentication_data && !out.authentication_method) {
    // [3.1.2.11.10] Authentication Data without an Authentication Method
    return r.fail(reason_code::protocol_error, "[3.1.2.11.10] Authentication Data without Authentication Method");
  }
  return true;
}

std::size_t properties_size(const properties& p, property_context ctx) noexcept {
  size_visitor v{allowed_mask(ctx), ctx == property_context::publish};
  visit_properties(p, v);
  return v.size;
}

void append_properties(std::string& out, const properties& p, property_context ctx, std::size_t list_size) {
  append_varint(out, static_cast<std::uint32_t>(list_size));
  append_property_list(out, p, ctx);
}

void append_property_list(std::string& out, const properties& p, property_context ctx) {
  write_visitor v{allowed_mask(ctx), ctx == property_context::publish, out};
  visit_properties(p, v);
}

}  // namespace gridmq::protocol
