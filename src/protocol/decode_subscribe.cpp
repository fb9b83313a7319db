// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (3.8-3.11) decoding.
#include "protocol/decoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/reason_code_sets.hpp"

namespace gridmq::protocol {

namespace {

bool read_options_v5(wire_reader& r, std::uint8_t b, subscribe_options& o) {
  if ((b & 0xC0) != 0) return r.fail(reason_code::malformed_packet, "[MQTT-3.8.3-5] reserved subscription option bits");
  if ((b & 0x03) == 3) return r.fail(reason_code::protocol_error, "[3.8.3.1] maximum QoS 3");
  if (((b >> 4) & 0x03) == 3) return r.fail(reason_code::protocol_error, "[3.8.3.1] retain handling 3");
  o.max_qos = static_cast<qos>(b & 0x03);
  o.no_local = (b & 0x04) != 0;
  o.retain_as_published = (b & 0x08) != 0;
  o.handling = static_cast<retain_handling>((b >> 4) & 0x03);
  return true;
}

bool read_options_v311(wire_reader& r, std::uint8_t b, subscribe_options& o) {
  // [MQTT-3-8.3-4] (sic, the 3.1.1 rule id) reserved bits and QoS 3 are malformed
  if ((b & 0xFC) != 0) return r.fail(reason_code::malformed_packet, "[MQTT-3-8.3-4] reserved subscription bits");
  if (b == 3) return r.fail(reason_code::malformed_packet, "[MQTT-3-8.3-4] requested QoS 3");
  o.max_qos = static_cast<qos>(b);
  return true;
}

// Reads reason codes up to the end of the packet; at least one is required
// since the acknowledged packet carried at least one topic filter.
bool read_codes(wire_reader& r, const reason_code_set& allowed, std::vector<reason_code>& codes) {
  if (r.at_end()) return r.fail(reason_code::protocol_error, "[3.9.3] acknowledgement without reason codes");
  codes.reserve(r.remaining());
  while (!r.at_end()) {
    std::uint8_t c = 0;
    r.read_u8(c);
    if (!allowed.contains(c)) return r.fail(reason_code::malformed_packet, "[3.9.3] invalid reason code");
    codes.push_back(static_cast<reason_code>(c));
  }
  return true;
}

}  // namespace

bool decode_subscribe(wire_reader& r, protocol_version v, subscribe& out) {
  if (!read_packet_id(r, out.packet_id)) return false;
  if (is_v5(v) && !decode_properties(r, property_context::subscribe, out.props)) return false;
  if (r.at_end()) return r.fail(reason_code::protocol_error, "[MQTT-3.8.3-3] SUBSCRIBE without topic filters");
  while (!r.at_end()) {
    subscription_request& s = out.topics.emplace_back();
    std::uint8_t options = 0;
    if (!r.read_utf8(s.filter) || !r.read_u8(options)) return false;
    if (!(is_v5(v) ? read_options_v5(r, options, s.options) : read_options_v311(r, options, s.options))) return false;
  }
  return true;
}

bool decode_suback(wire_reader& r, protocol_version v, suback& out) {
  if (!read_packet_id(r, out.packet_id)) return false;
  if (is_v5(v)) {
    return decode_properties(r, property_context::suback, out.props) && read_codes(r, suback_codes, out.codes);
  }
  return read_codes(r, v311_suback_codes, out.codes);
}

bool decode_unsubscribe(wire_reader& r, protocol_version v, unsubscribe& out) {
  if (!read_packet_id(r, out.packet_id)) return false;
  if (is_v5(v) && !decode_properties(r, property_context::unsubscribe, out.props)) return false;
  if (r.at_end()) return r.fail(reason_code::protocol_error, "[MQTT-3.10.3-2] UNSUBSCRIBE without topic filters");
  while (!r.at_end()) {
    if (!r.read_utf8(out.filters.emplace_back())) return false;
  }
  return true;
}

bool decode_unsuback(wire_reader& r, protocol_version v, unsuback& out) {
  if (!read_packet_id(r, out.packet_id)) return false;
  if (!is_v5(v)) return true;  // 3.1.1 UNSUBACK has no payload
  return decode_properties(r, property_context::unsuback, out.props) && read_codes(r, unsuback_codes, out.codes);
}

}  // namespace gridmq::protocol
