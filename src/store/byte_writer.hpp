// Appending the primitives of the store's record format to a string:
// big-endian fixed-width integers and length-prefixed byte strings. Big
// endian so that integer key parts sort numerically in RocksDB's bytewise
// order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gridmq::store {

class byte_writer {
 public:
  explicit byte_writer(std::string& out) noexcept : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  void i64(std::int64_t v) { put_be(static_cast<std::uint64_t>(v), 8); }
  // u32 length, then the bytes.
  void bytes(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }

 private:
  void put_be(std::uint64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }

  std::string& out_;
};

}  // namespace gridmq::store
