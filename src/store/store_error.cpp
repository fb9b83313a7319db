#include "store/store_error.hpp"

namespace gridmq::store {

const char* to_string(store_error_code c) noexcept {
  switch (c) {
    case store_error_code::io: return "io";
    case store_error_code::corrupt: return "corrupt";
    case store_error_code::newer_format: return "newer_format";
    case store_error_code::invalid_batch: return "invalid_batch";
    case store_error_code::not_loaded: return "not_loaded";
    case store_error_code::closed: return "closed";
  }
  return "unknown";
}

}  // namespace gridmq::store
