// PUBLISH (3.3) and its acknowledgements PUBACK, PUBREC, PUBREL, PUBCOMP
// (3.4-3.7) decoding. PUBLISH is the hot path: the topic is one allocation,
// the payload is copied once into its shared buffer, nothing else allocates
// unless properties are present.
#include <memory>

#include "protocol/decoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/reason_code_sets.hpp"

namespace gridmq::protocol {

bool read_packet_id(wire_reader& r, std::uint16_t& id) {
  if (!r.read_u16(id)) return false;
  if (id == 0) return r.fail(reason_code::protocol_error, "[MQTT-2.2.1-3] packet identifier 0");
  return true;
}

bool decode_publish_fields(wire_reader& r, std::uint8_t flags, protocol_version v, publish_in& out) {
  out.dup = (flags & 0x08) != 0;
  const auto q = static_cast<std::uint8_t>((flags >> 1) & 0x03);
  out.retain = (flags & 0x01) != 0;
  if (q == 3) return r.fail(reason_code::malformed_packet, "[MQTT-3.3.1-4] PUBLISH with QoS 3");
  if (is_v5(v) && out.dup && q == 0) return r.fail(reason_code::malformed_packet, "[MQTT-3.3.1-2] DUP set on QoS 0");
  out.qos_level = static_cast<qos>(q);
  std::string_view& topic = out.topic;
  if (!r.read_utf8_view(topic)) return false;
  if (has_wildcard(topic)) return r.fail(reason_code::topic_name_invalid, "[MQTT-3.3.2-2] wildcard in topic name");
  if (q > 0 && !read_packet_id(r, out.packet_id)) return false;
  if (is_v5(v)) {
    if (!decode_properties(r, property_context::publish, out.props)) return false;
    // [3.3.2.3.4] an empty topic is allowed only with a Topic Alias
    if (topic.empty() && !out.props.topic_alias) {
      return r.fail(reason_code::protocol_error, "[3.3.2.3.4] empty topic without Topic Alias");
    }
  } else if (topic.empty()) {
    return r.fail(reason_code::topic_name_invalid, "[MQTT-4.7.3-1] empty topic name");
  }
  out.payload = r.read_rest();
  return true;
}

bool decode_publish(wire_reader& r, std::uint8_t flags, protocol_version v, publish& out) {
  publish_in in;
  if (!decode_publish_fields(r, flags, v, in)) return false;
  out.dup = in.dup;
  out.qos_level = in.qos_level;
  out.retain = in.retain;
  out.topic.assign(in.topic);
  out.packet_id = in.packet_id;
  out.props = std::move(in.props);
  out.payload = std::make_shared<const std::string>(in.payload);
  return true;
}

bool decode_pub_response(wire_reader& r, packet_type type, protocol_version v, std::uint16_t& packet_id,
                         reason_code& code, properties& props) {
  if (!read_packet_id(r, packet_id)) return false;
  // [3.4.2.1] Remaining Length 2: Success, no properties (3.1.1 has only this form)
  if (!is_v5(v) || r.at_end()) return true;
  std::uint8_t c = 0;
  r.read_u8(c);
  const bool is_ack = type == packet_type::puback || type == packet_type::pubrec;
  if (!(is_ack ? puback_codes : pubrel_codes).contains(c)) {
    return r.fail(reason_code::malformed_packet, "[3.4.2.1] invalid reason code");
  }
  code = static_cast<reason_code>(c);
  // Remaining Length 3: no properties
  if (r.at_end()) return true;
  return decode_properties(r, property_context::pub_response, props);
}

}  // namespace gridmq::protocol
