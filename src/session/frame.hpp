// One outbound packet: encoded header bytes plus an optional shared payload.
#pragma once

#include <string>
#include <vector>

#include "protocol/packet.hpp"

namespace gridmq::session {

struct frame {
  std::string bytes;
  protocol::payload_ptr payload;  // null for packets without one
  std::size_t size() const noexcept { return bytes.size() + (payload ? payload->size() : 0); }
};

using frame_list = std::vector<frame>;

}  // namespace gridmq::session
