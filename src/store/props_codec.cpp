// The property list of the record format (see record_codec.hpp). Every field
// of protocol::properties is kept, so the store needs no knowledge of which
// ones the broker forwards. Tags are MQTT's property ids; the values use the
// store's own primitives (u32-length strings), not MQTT's wire encoding.
#include <optional>

#include "store/byte_reader.hpp"
#include "store/byte_writer.hpp"
#include "store/props_codec.hpp"

namespace gridmq::store {

namespace {

using protocol::property_id;

// One visit of every single-valued field with its id, for both directions.
template <class Props, class F>
void for_each_single(Props& p, F&& f) {
  f(property_id::payload_format_indicator, p.payload_format_indicator);
  f(property_id::message_expiry_interval, p.message_expiry_interval);
  f(property_id::content_type, p.content_type);
  f(property_id::response_topic, p.response_topic);
  f(property_id::correlation_data, p.correlation_data);
  f(property_id::session_expiry_interval, p.session_expiry_interval);
  f(property_id::assigned_client_identifier, p.assigned_client_identifier);
  f(property_id::server_keep_alive, p.server_keep_alive);
  f(property_id::authentication_method, p.authentication_method);
  f(property_id::authentication_data, p.authentication_data);
  f(property_id::request_problem_information, p.request_problem_information);
  f(property_id::will_delay_interval, p.will_delay_interval);
  f(property_id::request_response_information, p.request_response_information);
  f(property_id::response_information, p.response_information);
  f(property_id::server_reference, p.server_reference);
  f(property_id::reason_string, p.reason_string);
  f(property_id::receive_maximum, p.receive_maximum);
  f(property_id::topic_alias_maximum, p.topic_alias_maximum);
  f(property_id::topic_alias, p.topic_alias);
  f(property_id::maximum_qos, p.maximum_qos);
  f(property_id::retain_available, p.retain_available);
  f(property_id::maximum_packet_size, p.maximum_packet_size);
  f(property_id::wildcard_subscription_available, p.wildcard_subscription_available);
  f(property_id::subscription_identifier_available, p.subscription_identifier_available);
  f(property_id::shared_subscription_available, p.shared_subscription_available);
}

void write_value(byte_writer& w, std::uint8_t v) { w.u8(v); }
void write_value(byte_writer& w, std::uint16_t v) { w.u16(v); }
void write_value(byte_writer& w, std::uint32_t v) { w.u32(v); }
void write_value(byte_writer& w, const std::string& v) { w.bytes(v); }

bool read_value(byte_reader& r, std::uint8_t& v) { return r.u8(v); }
bool read_value(byte_reader& r, std::uint16_t& v) { return r.u16(v); }
bool read_value(byte_reader& r, std::uint32_t& v) { return r.u32(v); }
bool read_value(byte_reader& r, std::string& v) { return r.bytes(v); }

std::size_t count_props(const protocol::properties& p) {
  std::size_t n = p.subscription_identifiers.size() + p.user_properties.size();
  for_each_single(p, [&](property_id, const auto& field) { n += field.has_value() ? 1 : 0; });
  return n;
}

// Reads the value of property `id` into `p`; false for an unknown id or a
// repeated single-valued one.
bool read_property(byte_reader& r, property_id id, protocol::properties& p) {
  if (id == property_id::subscription_identifier) {
    std::uint32_t v = 0;
    if (!r.u32(v)) return false;
    p.subscription_identifiers.push_back(v);
    return true;
  }
  if (id == property_id::user_property) {
    protocol::user_property up;
    if (!r.bytes(up.key) || !r.bytes(up.value)) return false;
    p.user_properties.push_back(std::move(up));
    return true;
  }
  bool known = false;
  bool ok = true;
  for_each_single(p, [&](property_id fid, auto& field) {
    if (fid != id || known) return;
    known = true;
    if (field.has_value()) {
      ok = r.fail("property appears twice");
      return;
    }
    field.emplace();
    ok = read_value(r, *field);
  });
  return known ? ok : r.fail("unknown property id");
}

}  // namespace

void append_props(std::string& out, const protocol::properties& p) {
  byte_writer w(out);
  w.u32(static_cast<std::uint32_t>(count_props(p)));
  for_each_single(p, [&](property_id id, const auto& field) {
    if (!field) return;
    w.u8(static_cast<std::uint8_t>(id));
    write_value(w, *field);
  });
  for (const std::uint32_t s : p.subscription_identifiers) {
    w.u8(static_cast<std::uint8_t>(property_id::subscription_identifier));
    w.u32(s);
  }
  for (const auto& up : p.user_properties) {
    w.u8(static_cast<std::uint8_t>(property_id::user_property));
    w.bytes(up.key);
    w.bytes(up.value);
  }
}

bool read_props(byte_reader& r, protocol::properties& p) {
  std::uint32_t n = 0;
  if (!r.u32(n)) return false;
  // Each property takes at least two bytes, so `n` cannot make this loop
  // outrun the input.
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint8_t id = 0;
    if (!r.u8(id) || !read_property(r, static_cast<property_id>(id), p)) return false;
  }
  return true;
}

}  // namespace gridmq::store
