// Per-packet encoders, called by encode() (encode.cpp). Each computes the
// Remaining Length first, reserves the exact size once, then appends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/packet.hpp"

namespace gridmq::protocol {

// Fixed header: type and flags, then the Remaining Length. Reserves room for
// the header and `body_to_reserve` more bytes (the whole packet by default).
void append_fixed_header(std::string& out, packet_type type, std::uint8_t flags, std::size_t remaining,
                         std::size_t body_to_reserve);
inline void append_fixed_header(std::string& out, packet_type type, std::uint8_t flags, std::size_t remaining) {
  append_fixed_header(out, type, flags, remaining, remaining);
}

void encode_connect(const connect& p, protocol_version v, std::string& out);
void encode_connack(const connack& p, protocol_version v, std::string& out);
void encode_publish(const publish& p, protocol_version v, std::string& out);
void encode_pub_response(packet_type type, std::uint16_t packet_id, reason_code code, const properties& props,
                         protocol_version v, std::string& out);
void encode_subscribe(const subscribe& p, protocol_version v, std::string& out);
void encode_suback(const suback& p, protocol_version v, std::string& out);
void encode_unsubscribe(const unsubscribe& p, protocol_version v, std::string& out);
void encode_unsuback(const unsuback& p, protocol_version v, std::string& out);
void encode_disconnect(const disconnect& p, protocol_version v, std::string& out);
void encode_auth(const auth& p, protocol_version v, std::string& out);

}  // namespace gridmq::protocol
