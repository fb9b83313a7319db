// A configuration that cannot be used. Thrown at start-up only (STYLE: start-up
// errors may throw, caught once in main); what() reads
// "file:line: key: what is wrong", e.g.
// "gridmq.toml:12: limits.max_packet_size: expected an integer between 16 and 268435456".
#pragma once

#include <stdexcept>
#include <string>

namespace gridmq::config {

class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gridmq::config
