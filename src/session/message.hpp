// An application message as the broker routes it: immutable once built and
// shared (std::shared_ptr<const message>) by every session it is delivered
// to, so the payload is copied once on ingress and never per subscriber.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "protocol/packet.hpp"

namespace gridmq::session {

using clock = std::chrono::steady_clock;

struct message {
  std::string topic;
  protocol::payload_ptr payload;  // never null
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool retain = false;
  // v5 properties forwarded to subscribers: payload format, content type,
  // response topic, correlation data, user properties. Per-delivery ones
  // (topic alias, subscription ids, message expiry) are not kept here.
  // Null when there are none, as for most messages: the properties struct
  // is ~500 bytes, four times the rest of the message.
  std::unique_ptr<const protocol::properties> forwarded;
  std::optional<clock::time_point> expires_at;  // from Message Expiry Interval
  std::uint64_t origin = 0;                     // publishing session, for No Local
  // The broker's id for the store (message_record::id); 0 when the broker
  // keeps nothing. Unique among the messages the store holds.
  std::uint64_t id = 0;

  bool is_expired(clock::time_point now) const noexcept { return expires_at && now >= *expires_at; }
  const protocol::properties& props() const noexcept { return forwarded ? *forwarded : no_properties(); }
  // Keeps `p` if it holds a forwarded property.
  void set_props(protocol::properties&& p);
  static const protocol::properties& no_properties() noexcept;
  std::size_t payload_size() const noexcept { return payload ? payload->size() : 0; }
};

using message_ptr = std::shared_ptr<const message>;

// Builds a message from a decoded PUBLISH: keeps only the properties that are
// forwarded and turns the expiry interval into a deadline.
message_ptr make_message(protocol::publish&& p, std::uint64_t origin, clock::time_point now, std::uint64_t id = 0);

}  // namespace gridmq::session
