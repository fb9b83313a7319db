// The store's own binary record format, version 1: independent of RocksDB
// (memory_store does not need it; rocksdb_store writes these bytes as
// values under the keys of record_keys.hpp).
//
// Every value starts with a record version byte (1). Primitives
// (byte_writer.hpp): big-endian u8/u16/u32/u64, times as i64 milliseconds
// since the Unix epoch, byte strings as u32 length + bytes, flags as 0/1.
//
//   session       ver, u8 protocol level (3|4|5), u32 expiry, u8 has-bits
//                 (1 disconnected_at, 2 will, 4 will_at, 8 owner,
//                 16 sent_through), [i64 disconnected_at], [will: bytes topic,
//                 bytes payload, u8 qos, flag retain, props], [i64 will_at],
//                 [bytes owning authentication name], [u64 sent_through]
//   subscription  ver, u8 max qos, u8 bits (1 no_local, 2 retain_as_published),
//                 u8 retain handling, u32 identifier
//   message       ver, message body
//   retained      ver, u64 id, message body
//   message body  bytes topic, u8 qos, flag retain, u8 has-expiry, [i64 expiry],
//                 props, bytes payload
//   queue entry   ver, u64 message id, u8 state (| 0x80: $share origin
//                 follows), u16 packet id, u8 qos, flag retain, u32 count,
//                 count x u32 subscription id, [bytes group, bytes filter]
//   inbound qos2  ver
//   props         u32 count, count x (u8 MQTT property id, value): byte,
//                 u16, u32 or bytes by the id's type; a User Property is two
//                 byte strings; Subscription Identifier may repeat.
//
// Decoding is total: any input gives a record or an error naming what is
// wrong; unknown versions, enum values, flag bits, property ids and
// trailing bytes are errors. Record versions other than 1 are refused: a
// future format bumps the store's format version and migrates (README.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "protocol/properties.hpp"
#include "store/records.hpp"

namespace gridmq::store {

inline constexpr std::uint32_t current_format_version = 1;
inline constexpr std::uint8_t record_version = 1;

template <class T>
using decoded = result<T, std::string>;

std::string encode_format_version(std::uint32_t version);
decoded<std::uint32_t> decode_format_version(std::string_view value);

// Values; the identifying fields (client id, filter, id, sequence, packet
// id, topic of a retained message) live in the key and are taken from it.
std::string encode_session(const session_record& r);
decoded<session_record> decode_session(std::string_view client_id, std::string_view value);

std::string encode_subscription(const subscription_record& r);
decoded<subscription_record> decode_subscription(std::string_view client_id, std::string_view filter,
                                                 std::string_view value);

std::string encode_message(const message_record& r);
decoded<message_record> decode_message(std::uint64_t id, std::string_view value);

std::string encode_retained(const message_record& r);
decoded<message_record> decode_retained(std::string_view topic, std::string_view value);

std::string encode_queue_entry(const queue_entry& e);
decoded<queue_entry> decode_queue_entry(std::string_view client_id, std::uint64_t sequence, std::string_view value);

std::string encode_inbound_qos2();
decoded<inbound_qos2> decode_inbound_qos2(std::string_view client_id, std::uint16_t packet_id, std::string_view value);

}  // namespace gridmq::store
