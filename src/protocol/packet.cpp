#include "protocol/packet.hpp"

namespace gridmq::protocol {

packet_type type_of(const packet& p) noexcept {
  // The variant's alternatives are listed in packet type order, from CONNECT (1).
  return static_cast<packet_type>(p.index() + 1);
}

}  // namespace gridmq::protocol
