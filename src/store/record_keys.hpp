// Key layout of the store, format version 1. One ordered key space; the
// first byte says which kind of record follows. Integers are big-endian so
// that bytewise order is numeric order; a client id inside a longer key is
// prefixed by its u16 length, so one client's keys form one contiguous range
// whatever bytes the id holds (a range delete removes exactly that client's).
//
//   "\0format"                       -> u32 format version (record_codec.hpp)
//   'I' len16 client_id pid16        -> inbound QoS 2 id awaiting PUBREL
//   'M' id64                         -> message record
//   'Q' len16 client_id seq64        -> queue entry (a client's, in order)
//   'R' topic                        -> retained message
//   'S' client_id                    -> session record
//   'U' len16 client_id filter       -> subscription
//
// Any other first byte, or a key of a known kind with the wrong shape, is
// corruption. Decoding keys is total, like the values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace gridmq::store {

enum class key_kind : char {
  meta = '\0',
  inbound_qos2 = 'I',
  message = 'M',
  queue_entry = 'Q',
  retained = 'R',
  session = 'S',
  subscription = 'U',
};

// Longest client id that fits the u16 length in a key (also MQTT's limit for
// a UTF-8 string, 1.5.4).
inline constexpr std::size_t max_client_id_length = 0xFFFF;

std::string format_version_key();
std::string session_key(std::string_view client_id);
std::string subscription_key(std::string_view client_id, std::string_view filter);
std::string message_key(std::uint64_t id);
std::string queue_key(std::string_view client_id, std::uint64_t sequence);
std::string inbound_qos2_key(std::string_view client_id, std::uint16_t packet_id);
std::string retained_key(std::string_view topic);

// Every key of `kind` (inbound_qos2, queue_entry or subscription) of one
// client starts with this prefix.
std::string client_prefix(key_kind kind, std::string_view client_id);
// The smallest key greater than every key that starts with `prefix`
// (the end of a range delete); "" if there is none (prefix all 0xFF).
std::string prefix_end(std::string_view prefix);

// A key taken apart. Which fields are set depends on the kind.
struct parsed_key {
  key_kind kind = key_kind::meta;
  std::string client_id;  // inbound_qos2, queue_entry, session, subscription
  std::string name;       // filter (subscription) or topic (retained)
  std::uint64_t number = 0;  // message id, sequence or packet id
};

result<parsed_key, std::string> parse_key(std::string_view key);

// A printable description of a key for error messages (bytes escaped).
std::string describe_key(std::string_view key);

}  // namespace gridmq::store
