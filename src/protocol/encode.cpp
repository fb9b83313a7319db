// encode(): the fixed header writer and the dispatch to the per-packet
// encoders; DISCONNECT and AUTH, whose short forms need no file of their own.
#include "protocol/codec.hpp"
#include "protocol/encoders.hpp"
#include "protocol/property_codec.hpp"
#include "protocol/wire_writer.hpp"

namespace gridmq::protocol {

namespace {

// DISCONNECT and AUTH: Remaining Length 0 for Success without properties;
// otherwise the reason code, then the properties if there are any.
// `code_alone_ok`: whether a lone reason code (Remaining Length 1) is a valid
// form; 3.14.2.2.1 says so for DISCONNECT, 3.15 has no such form for AUTH.
void encode_code_and_properties(packet_type type, reason_code code, const properties& props, property_context ctx,
                                bool code_alone_ok, std::string& out) {
  const std::size_t list = properties_size(props, ctx);
  if (code == reason_code::success && list == 0) {
    append_fixed_header(out, type, 0, 0);
    return;
  }
  const bool with_props = list != 0 || !code_alone_ok;
  const std::size_t remaining = 1 + (with_props ? varint_size(static_cast<std::uint32_t>(list)) + list : 0);
  append_fixed_header(out, type, 0, remaining);
  append_u8(out, static_cast<std::uint8_t>(code));
  if (with_props) append_properties(out, props, ctx, list);
}

struct encode_visitor {
  protocol_version v;
  std::string& out;
  void operator()(const connect& x) { encode_connect(x, v, out); }
  void operator()(const connack& x) { encode_connack(x, v, out); }
  void operator()(const publish& x) { encode_publish(x, v, out); }
  void operator()(const subscribe& x) { encode_subscribe(x, v, out); }
  void operator()(const suback& x) { encode_suback(x, v, out); }
  void operator()(const unsubscribe& x) { encode_unsubscribe(x, v, out); }
  void operator()(const unsuback& x) { encode_unsuback(x, v, out); }
  void operator()(const pingreq&) { append_fixed_header(out, packet_type::pingreq, 0, 0); }
  void operator()(const pingresp&) { append_fixed_header(out, packet_type::pingresp, 0, 0); }
  void operator()(const disconnect& x) { encode_disconnect(x, v, out); }
  void operator()(const auth& x) { encode_auth(x, v, out); }
  template <packet_type T>
  void operator()(const pub_response<T>& x) {
    encode_pub_response(T, x.packet_id, x.code, x.props, v, out);
  }
};

}  // namespace

void append_fixed_header(std::string& out, packet_type type, std::uint8_t flags, std::size_t remaining,
                         std::size_t body_to_reserve) {
  const auto length = static_cast<std::uint32_t>(remaining);
  out.reserve(out.size() + 1 + varint_size(length) + body_to_reserve);
  append_u8(out, static_cast<std::uint8_t>((static_cast<std::uint8_t>(type) << 4) | flags));
  append_varint(out, length);
}

void encode_disconnect(const disconnect& p, protocol_version v, std::string& out) {
  if (v != protocol_version::v5) {  // 3.1.1: no variable header
    append_fixed_header(out, packet_type::disconnect, 0, 0);
    return;
  }
  encode_code_and_properties(packet_type::disconnect, p.code, p.props, property_context::disconnect, true, out);
}

void encode_auth(const auth& p, protocol_version, std::string& out) {
  // AUTH exists only in 5.0; written the same for any version.
  encode_code_and_properties(packet_type::auth, p.code, p.props, property_context::auth, false, out);
}

void encode(const packet& p, protocol_version version, std::string& out) {
  std::visit(encode_visitor{version, out}, p);
}

}  // namespace gridmq::protocol
