// Encodes one delivery of a shared message for one session's connection.
// The payload is not copied: the frame points at the message's buffer.
#pragma once

#include <cstdint>

#include "session/frame.hpp"
#include "session/message.hpp"

namespace gridmq::session {

struct delivery;

// Appends the PUBLISH for `m` delivered as `d` with `packet_id` (ignored at
// QoS 0). The Message Expiry Interval sent is what remains at `now`
// ([MQTT-3.3.2-6]); v5-only properties are dropped for 3.1.1 clients.
// `alias` is the outbound topic alias to use (0: none); with `send_topic`
// false the topic is left empty because the client already knows the alias.
struct alias_use {
  std::uint16_t alias = 0;
  bool send_topic = true;
};
void encode_delivery(const message_ptr& m, const delivery& d, std::uint16_t packet_id, bool dup,
                     protocol::protocol_version version, clock::time_point now, frame_list& out,
                     alias_use alias = {});

// Size on the wire of that PUBLISH, for the client's Maximum Packet Size.
std::size_t delivery_size(const message& m, const delivery& d, protocol::protocol_version version);

}  // namespace gridmq::session
