// Value equality of packets, for tests and the fuzzer's round trip: payloads
// are compared by content (a null payload equals an empty one), not by
// pointer as shared_ptr's operator== would.
#pragma once

#include "protocol/packet.hpp"

namespace gridmq::protocol {

bool same_payload(const payload_ptr& a, const payload_ptr& b) noexcept;
bool equal_content(const packet& a, const packet& b) noexcept;

}  // namespace gridmq::protocol
