// How one message is delivered to one session, after the broker merged the
// session's overlapping subscriptions ([MQTT-3.3.4-2/3]).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/packet.hpp"

namespace gridmq::session {

// The $share subscription a delivery came through, so that a message left
// unacknowledged by a member whose session ends can go to another member.
struct share_origin {
  std::string group;
  std::string filter;
};

struct delivery {
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool retain = false;
  std::vector<std::uint32_t> subscription_ids;
  std::shared_ptr<const share_origin> share;  // null unless via $share
};

}  // namespace gridmq::session
