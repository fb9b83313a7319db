// What the session unit tests share: messages and deliveries to feed a
// session, link parameters to attach it with, and the frames it emits
// decoded back into packets (with the project's own decoder, so a test also
// checks that what the session encodes is valid MQTT).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "protocol/codec.hpp"
#include "session/session.hpp"

namespace gridmq::session::fixtures {

inline message_ptr message_of(std::string topic, std::string payload, protocol::qos q, std::uint64_t id = 0,
                              std::optional<std::uint32_t> expiry = std::nullopt) {
  protocol::publish p;
  p.topic = std::move(topic);
  p.payload = std::make_shared<const std::string>(std::move(payload));
  p.qos_level = q;
  p.props.message_expiry_interval = expiry;
  return make_message(std::move(p), 0, clock::now(), id);
}

inline delivery at(protocol::qos q) {
  delivery d;
  d.qos_level = q;
  return d;
}

inline link_params link(std::uint16_t receive_maximum = 65535,
                        protocol::protocol_version v = protocol::protocol_version::v311) {
  return {v, receive_maximum, 0};
}

// The packet a frame carries (header bytes, then the shared payload).
inline std::optional<protocol::packet> decode_frame(const frame& f, protocol::protocol_version v) {
  const std::string whole = f.bytes + (f.payload ? *f.payload : std::string{});
  auto r = protocol::decode(std::span(reinterpret_cast<const std::uint8_t*>(whole.data()), whole.size()), v);
  EXPECT_TRUE(r.has_value());
  if (!r) return std::nullopt;
  return std::move(*r);
}

// The PUBLISH a frame carries; an empty one (and a test failure) if it
// carries something else.
inline protocol::publish decode_publish(const frame& f,
                                        protocol::protocol_version v = protocol::protocol_version::v311) {
  const auto packet = decode_frame(f, v);
  const auto* p = packet ? std::get_if<protocol::publish>(&*packet) : nullptr;
  EXPECT_NE(p, nullptr);
  return p ? *p : protocol::publish{};
}

}  // namespace gridmq::session::fixtures
