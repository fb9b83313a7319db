// An application message as the broker routes it: immutable once built and
// shared (std::shared_ptr<const message>) by every session it is delivered
// to, so the payload is copied once on ingress and never per subscriber.
//
// Layout: one allocation holds the reference counts, the topic and payload
// string headers (and short strings themselves) and the rest; a payload
// longer than 15 bytes is the only other block. Frames and store records
// share the payload through payload_of(), a pointer into the message that
// keeps the message alive. The whole block stays at 120 bytes, the largest
// size glibc serves from its fast bins: messages come and go in bursts of
// thousands, which its slower bins handle at several times the cost.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "protocol/codec.hpp"
#include "protocol/packet.hpp"

namespace gridmq::session {

using clock = std::chrono::steady_clock;

struct message {
  static constexpr clock::time_point never = clock::time_point::max();

  std::string topic;
  std::string payload;
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool retain = false;
  // v5 properties forwarded to subscribers: payload format, content type,
  // response topic, correlation data, user properties. Per-delivery ones
  // (topic alias, subscription ids, message expiry) are not kept here.
  // Null when there are none, as for most messages: the properties struct
  // is ~500 bytes, four times the rest of the message.
  std::unique_ptr<const protocol::properties> forwarded;
  clock::time_point expires_at = never;  // from Message Expiry Interval
  std::uint64_t origin = 0;              // publishing session, for No Local
  // The broker's id for the store (message_record::id); 0 when the broker
  // keeps nothing. Unique among the messages the store holds.
  std::uint64_t id = 0;

  bool has_expiry() const noexcept { return expires_at != never; }
  bool is_expired(clock::time_point now) const noexcept { return now >= expires_at; }
  std::size_t payload_size() const noexcept { return payload.size(); }
  const protocol::properties& props() const noexcept { return forwarded ? *forwarded : no_properties(); }
  // Keeps `p` if it holds a forwarded property.
  void set_props(protocol::properties&& p);
  static const protocol::properties& no_properties() noexcept;
};

using message_ptr = std::shared_ptr<const message>;

// The payload of `m` as a shared buffer (for frames and store records): it
// points into the message and keeps the message alive. No allocation.
inline protocol::payload_ptr payload_of(const message_ptr& m) noexcept { return {m, &m->payload}; }

// Builds a message from a decoded PUBLISH: keeps only the properties that are
// forwarded and turns the expiry interval into a deadline.
message_ptr make_message(protocol::publish&& p, std::uint64_t origin, clock::time_point now, std::uint64_t id = 0);
// The same from a PUBLISH decoded in place (the broker's hot path): the
// topic and payload are copied once, into the message.
message_ptr make_message(protocol::publish_in&& p, std::uint64_t origin, clock::time_point now, std::uint64_t id = 0);

}  // namespace gridmq::session
