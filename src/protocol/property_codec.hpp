// MQTT 5.0 property lists (2.2.2): decoding with the per-packet allow table
// (2.2.2.2), duplicate and value-range rules, and encoding.
//
// The encoder writes only the properties the packet may carry, so whatever
// it writes, the decoder accepts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/properties.hpp"
#include "protocol/wire_reader.hpp"

namespace gridmq::protocol {

// Where a property list sits; each place has its own allow set.
enum class property_context : std::uint8_t {
  connect,
  will,  // the Will Properties in the CONNECT payload (3.1.3.2)
  connack,
  publish,
  pub_response,  // PUBACK, PUBREC, PUBREL, PUBCOMP
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth,
};

bool is_property_allowed(property_context ctx, property_id id) noexcept;

// Reads the Property Length and the list into `out` (which must be empty).
bool decode_properties(wire_reader& r, property_context ctx, properties& out);

// Bytes of the list itself, without its length prefix.
std::size_t properties_size(const properties& p, property_context ctx) noexcept;

// Appends the Property Length (= list_size, from properties_size) and the list.
void append_properties(std::string& out, const properties& p, property_context ctx, std::size_t list_size);
// The list alone, without the length prefix.
void append_property_list(std::string& out, const properties& p, property_context ctx);

}  // namespace gridmq::protocol
