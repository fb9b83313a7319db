// The property list of the record format (record_codec.hpp): u32 count, then
// (u8 MQTT property id, value) per property. Internal to store/.
#pragma once

#include <string>

#include "protocol/properties.hpp"
#include "store/byte_reader.hpp"

namespace gridmq::store {

void append_props(std::string& out, const protocol::properties& p);
// False (with the reader's error set) on an unknown id, a repeated
// single-valued property or a truncated value. `p` must be empty.
bool read_props(byte_reader& r, protocol::properties& p);

}  // namespace gridmq::store
