// Which v5 reason codes each packet may carry (the Reason Code tables of
// 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1,
// 3.15.2.1). A code outside its packet's table is Malformed.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "protocol/packet.hpp"

namespace gridmq::protocol {

class reason_code_set {
 public:
  constexpr reason_code_set(std::initializer_list<std::uint8_t> codes) noexcept {
    for (std::uint8_t c : codes) words_[c / 64] |= std::uint64_t{1} << (c % 64);
  }
  constexpr bool contains(std::uint8_t c) const noexcept { return (words_[c / 64] >> (c % 64)) & 1u; }

 private:
  std::array<std::uint64_t, 4> words_{};
};

inline constexpr reason_code_set connack_codes{0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                                               0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
inline constexpr reason_code_set puback_codes{0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
inline constexpr reason_code_set pubrel_codes{0x00, 0x92};  // also PUBCOMP
inline constexpr reason_code_set suback_codes{0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                              0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
inline constexpr reason_code_set unsuback_codes{0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
inline constexpr reason_code_set disconnect_codes{0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                                                  0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                                                  0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
inline constexpr reason_code_set auth_codes{0x00, 0x18, 0x19};

// MQTT 3.1.1 SUBACK return codes (3.9.3).
inline constexpr reason_code_set v311_suback_codes{0x00, 0x01, 0x02, 0x80};

}  // namespace gridmq::protocol
