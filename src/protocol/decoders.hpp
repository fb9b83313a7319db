// Per-packet decoders, called by decode() (decode.cpp) after it has checked
// the fixed header. Each reads its variable header and payload from `r`,
// which holds exactly the Remaining Length bytes; on a fault it records the
// error in `r` and returns false. decode() rejects bytes left over.
#pragma once

#include <cstdint>

#include "protocol/codec.hpp"
#include "protocol/packet.hpp"
#include "protocol/wire_reader.hpp"

namespace gridmq::protocol {

constexpr bool is_v5(protocol_version v) noexcept { return v == protocol_version::v5; }

// [MQTT-2.2.1-3] a Packet Identifier is never 0.
bool read_packet_id(wire_reader& r, std::uint16_t& id);

bool decode_connect(wire_reader& r, connect& out);
bool decode_connack(wire_reader& r, protocol_version v, connack& out);
bool decode_publish(wire_reader& r, std::uint8_t flags, protocol_version v, publish& out);
bool decode_publish_fields(wire_reader& r, std::uint8_t flags, protocol_version v, publish_in& out);
bool decode_pub_response(wire_reader& r, packet_type type, protocol_version v, std::uint16_t& packet_id,
                         reason_code& code, properties& props);
bool decode_subscribe(wire_reader& r, protocol_version v, subscribe& out);
bool decode_suback(wire_reader& r, protocol_version v, suback& out);
bool decode_unsubscribe(wire_reader& r, protocol_version v, unsubscribe& out);
bool decode_unsuback(wire_reader& r, protocol_version v, unsuback& out);
bool decode_disconnect(wire_reader& r, protocol_version v, disconnect& out);
bool decode_auth(wire_reader& r, auth& out);

}  // namespace gridmq::protocol
