// decode(): the fixed header checks (2.1, 2.2.2) and the dispatch to the
// per-packet decoders. Any byte string ends here as a packet or an error.
#include "protocol/codec.hpp"
#include "protocol/decoders.hpp"

namespace gridmq::protocol {

namespace {

using decode_result = result<packet, decode_error>;

constexpr std::uint8_t publish_type = 3;

// [MQTT-2.2.2-1] [MQTT-2.2.2-2] the flags each packet type must carry
// (PUBLISH's flags are its DUP, QoS and RETAIN and are checked there).
constexpr std::uint8_t required_flags(std::uint8_t type) noexcept {
  switch (static_cast<packet_type>(type)) {
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe:
      return 0x02;
    default:
      return 0x00;
  }
}

decode_result fail(reason_code code, std::string_view what) { return unexpected{decode_error{code, what}}; }

// Runs one packet decoder into a fresh P and checks that it used every byte.
template <class P, class F>
decode_result run(wire_reader& r, F&& decode_fn) {
  packet out{std::in_place_type<P>};
  if (!decode_fn(r, std::get<P>(out))) return unexpected{r.error()};
  if (!r.at_end()) return fail(reason_code::malformed_packet, "bytes left after the end of the packet");
  return out;
}

template <packet_type T>
decode_result run_pub_response(wire_reader& r, protocol_version v) {
  return run<pub_response<T>>(r, [v](wire_reader& rr, pub_response<T>& p) {
    return decode_pub_response(rr, T, v, p.packet_id, p.code, p.props);
  });
}

decode_result dispatch(wire_reader& r, std::uint8_t first_byte, protocol_version v) {
  const auto type = static_cast<std::uint8_t>(first_byte >> 4);
  const auto flags = static_cast<std::uint8_t>(first_byte & 0x0F);
  if (type == 0) return fail(reason_code::malformed_packet, "[2.1.2] reserved packet type 0");
  if (type != publish_type && flags != required_flags(type)) {
    return fail(reason_code::malformed_packet, "[MQTT-2.2.2-2] invalid fixed header flags");
  }
  switch (static_cast<packet_type>(type)) {
    case packet_type::connect: return run<connect>(r, decode_connect);
    case packet_type::connack:
      return run<connack>(r, [v](wire_reader& rr, connack& p) { return decode_connack(rr, v, p); });
    case packet_type::publish:
      return run<publish>(r, [v, flags](wire_reader& rr, publish& p) { return decode_publish(rr, flags, v, p); });
    case packet_type::puback: return run_pub_response<packet_type::puback>(r, v);
    case packet_type::pubrec: return run_pub_response<packet_type::pubrec>(r, v);
    case packet_type::pubrel: return run_pub_response<packet_type::pubrel>(r, v);
    case packet_type::pubcomp: return run_pub_response<packet_type::pubcomp>(r, v);
    case packet_type::subscribe:
      return run<subscribe>(r, [v](wire_reader& rr, subscribe& p) { return decode_subscribe(rr, v, p); });
    case packet_type::suback:
      return run<suback>(r, [v](wire_reader& rr, suback& p) { return decode_suback(rr, v, p); });
    case packet_type::unsubscribe:
      return run<unsubscribe>(r, [v](wire_reader& rr, unsubscribe& p) { return decode_unsubscribe(rr, v, p); });
    case packet_type::unsuback:
      return run<unsuback>(r, [v](wire_reader& rr, unsuback& p) { return decode_unsuback(rr, v, p); });
    case packet_type::pingreq: return run<pingreq>(r, [](wire_reader&, pingreq&) { return true; });
    case packet_type::pingresp: return run<pingresp>(r, [](wire_reader&, pingresp&) { return true; });
    case packet_type::disconnect:
      return run<disconnect>(r, [v](wire_reader& rr, disconnect& p) { return decode_disconnect(rr, v, p); });
    case packet_type::auth:
      // AUTH exists only in 5.0; type 15 is reserved before it.
      if (!is_v5(v)) return fail(reason_code::malformed_packet, "[2.1.2] AUTH before MQTT 5.0");
      return run<auth>(r, decode_auth);
  }
  return fail(reason_code::malformed_packet, "[2.1.2] unknown packet type");
}

// The bytes after the fixed header of a non-empty packet, once its
// Remaining Length is checked against the packet's size.
result<std::span<const std::uint8_t>, decode_error> body_of(std::span<const std::uint8_t> whole_packet) {
  std::uint32_t remaining = 0;
  const int used = read_varint(whole_packet.subspan(1), remaining);
  if (used <= 0) return unexpected{decode_error{reason_code::malformed_packet, "[1.5.5] bad remaining length"}};
  const std::size_t header = 1 + static_cast<std::size_t>(used);
  if (whole_packet.size() - header != remaining) {
    return unexpected{decode_error{reason_code::malformed_packet, "remaining length does not match the packet"}};
  }
  return whole_packet.subspan(header);
}

}  // namespace

result<packet, decode_error> decode(std::span<const std::uint8_t> whole_packet, protocol_version version) {
  if (whole_packet.empty()) return fail(reason_code::malformed_packet, "empty packet");
  auto body = body_of(whole_packet);
  if (!body) return unexpected{body.error()};
  wire_reader r(*body);
  return dispatch(r, whole_packet[0], version);
}

bool decode_publish(std::span<const std::uint8_t> whole_packet, protocol_version version, publish_in& out,
                    decode_error& error) {
  auto failed = [&](reason_code code, std::string_view what) {
    error = decode_error{code, what};
    return false;
  };
  if (whole_packet.empty() || (whole_packet[0] >> 4) != publish_type) {
    return failed(reason_code::malformed_packet, "not a PUBLISH");
  }
  auto body = body_of(whole_packet);
  if (!body) {
    error = body.error();
    return false;
  }
  wire_reader r(*body);
  if (!decode_publish_fields(r, static_cast<std::uint8_t>(whole_packet[0] & 0x0F), version, out)) {
    error = r.error();
    return false;
  }
  return true;
}

}  // namespace gridmq::protocol
