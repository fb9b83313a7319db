// The MQTT control packets of versions 3.1 (level 3), 3.1.1 (level 4) and
// 5.0 (level 5) as plain values. One struct per packet type; fields that a
// version does not carry are ignored when encoding for that version.
//
// PUBLISH payloads are reference-counted and immutable: the decoder copies
// the payload once into a shared buffer, and every delivery of the message
// shares that buffer (the encoder writes only headers; see codec.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/properties.hpp"
#include "protocol/reason_code.hpp"

namespace gridmq::protocol {

enum class protocol_version : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

enum class packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,
};

enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

using payload_ptr = std::shared_ptr<const std::string>;

struct will {
  std::string topic;
  payload_ptr payload;
  qos qos_level = qos::at_most_once;
  bool retain = false;
  properties props;  // v5 will properties
};

struct connect {
  protocol_version version = protocol_version::v311;
  bool clean_start = true;  // Clean Session in 3.1.1
  std::uint16_t keep_alive = 0;
  std::string client_id;
  std::optional<will> will_message;
  std::optional<std::string> username;
  std::optional<std::string> password;  // binary data
  properties props;
};

struct connack {
  bool session_present = false;
  reason_code code = reason_code::success;  // v3.1.1: encoded via to_v311_connack
  properties props;
};

struct publish {
  bool dup = false;
  qos qos_level = qos::at_most_once;
  bool retain = false;
  std::string topic;
  std::uint16_t packet_id = 0;  // only when qos > 0
  properties props;
  payload_ptr payload;  // never null after decode
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
template <packet_type Type>
struct pub_response {
  static constexpr packet_type type = Type;
  std::uint16_t packet_id = 0;
  reason_code code = reason_code::success;
  properties props;
};
using puback = pub_response<packet_type::puback>;
using pubrec = pub_response<packet_type::pubrec>;
using pubrel = pub_response<packet_type::pubrel>;
using pubcomp = pub_response<packet_type::pubcomp>;

enum class retain_handling : std::uint8_t { send_on_subscribe = 0, send_if_new = 1, never = 2 };

struct subscribe_options {
  qos max_qos = qos::at_most_once;
  bool no_local = false;
  bool retain_as_published = false;
  retain_handling handling = retain_handling::send_on_subscribe;
  friend bool operator==(const subscribe_options&, const subscribe_options&) = default;
};

struct subscription_request {
  std::string filter;
  subscribe_options options;
};

struct subscribe {
  std::uint16_t packet_id = 0;
  std::vector<subscription_request> topics;  // never empty after decode
  properties props;
};

struct suback {
  std::uint16_t packet_id = 0;
  std::vector<reason_code> codes;  // v3.1.1: 0x00..0x02 or 0x80
  properties props;
};

struct unsubscribe {
  std::uint16_t packet_id = 0;
  std::vector<std::string> filters;
  properties props;
};

struct unsuback {
  std::uint16_t packet_id = 0;
  std::vector<reason_code> codes;  // v5 only; 3.1.1 UNSUBACK has no payload
  properties props;
};

struct pingreq {};
struct pingresp {};

struct disconnect {
  reason_code code = reason_code::success;
  properties props;
};

struct auth {
  reason_code code = reason_code::success;
  properties props;
};

using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback,
                            unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

packet_type type_of(const packet& p) noexcept;

}  // namespace gridmq::protocol
