// DISCONNECT (3.14) and AUTH (3.15) decoding; both have a short form with
// Remaining Length 0 that means Success without properties.
#include "protocol/decoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/reason_code_sets.hpp"

namespace gridmq::protocol {

namespace {

bool read_code_and_properties(wire_reader& r, const reason_code_set& allowed, property_context ctx, reason_code& code,
                              properties& props) {
  if (r.at_end()) return true;  // Remaining Length 0: Success
  std::uint8_t c = 0;
  r.read_u8(c);
  if (!allowed.contains(c)) return r.fail(reason_code::malformed_packet, "[3.14.2.1] invalid reason code");
  code = static_cast<reason_code>(c);
  if (r.at_end()) return true;  // [3.14.2.2.1] Remaining Length 1: no properties
  return decode_properties(r, ctx, props);
}

}  // namespace

bool decode_disconnect(wire_reader& r, protocol_version v, disconnect& out) {
  if (!is_v5(v)) return true;  // 3.1.1: no variable header; decode() rejects extra bytes
  return read_code_and_properties(r, disconnect_codes, property_context::disconnect, out.code, out.props);
}

bool decode_auth(wire_reader& r, auth& out) {
  return read_code_and_properties(r, auth_codes, property_context::auth, out.code, out.props);
}

}  // namespace gridmq::protocol
