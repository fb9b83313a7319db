// The PROXY protocol header (HAProxy's text v1 and binary v2) that a load
// balancer puts in front of a connection, so the broker logs and hands on
// the real client address instead of the balancer's.
//
// parse_proxy_header() is total and incremental: give it the bytes received
// so far; it says incomplete (read more), done (how many bytes the header
// took; the rest belongs to the next layer: TLS, HTTP or MQTT) or invalid.
// Bounds: a v1 line is at most 107 bytes, a v2 header at most
// max_proxy_v2_length bytes; anything longer is invalid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace gridmq::transport {

inline constexpr std::size_t max_proxy_v1_length = 107;
inline constexpr std::size_t max_proxy_v2_length = 16 + 1024;

struct proxy_header {
  enum class status : std::uint8_t { incomplete, done, invalid };
  status st = status::incomplete;
  std::size_t length = 0;  // done: bytes of the header
  // done: "203.0.113.7:51234" or "[2001:db8::1]:443"; empty for a LOCAL
  // (health check) or UNKNOWN header, where the socket's own peer applies.
  std::string source;
  std::string error;  // invalid: what is wrong
};

proxy_header parse_proxy_header(std::span<const std::uint8_t> data);

}  // namespace gridmq::transport
