// A bounds-checked cursor over the bytes of one packet (the decoder's only
// way to touch input). Every read either succeeds or records the first
// decode_error and returns false, so decoders read in sequence and bail out
// with `return false` on the first failure; nothing here can read past the
// end of the span. Reads that overrun the packet are Malformed (0x81).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"
#include "protocol/validate.hpp"

namespace gridmq::protocol {

class wire_reader {
 public:
  explicit wire_reader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool at_end() const noexcept { return pos_ == bytes_.size(); }
  const decode_error& error() const noexcept { return error_; }

  // Records the error (the first one wins) and returns false.
  bool fail(reason_code code, std::string_view what) noexcept {
    if (!failed_) {
      error_ = decode_error{code, what};
      failed_ = true;
    }
    return false;
  }
  bool fail(const decode_error& e) noexcept { return fail(e.code, e.what); }

  bool read_u8(std::uint8_t& v) noexcept {
    if (remaining() < 1) return overrun();
    v = bytes_[pos_++];
    return true;
  }

  bool read_u16(std::uint16_t& v) noexcept {
    if (remaining() < 2) return overrun();
    v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }

  bool read_u32(std::uint32_t& v) noexcept {
    if (remaining() < 4) return overrun();
    v = (std::uint32_t{bytes_[pos_]} << 24) | (std::uint32_t{bytes_[pos_ + 1]} << 16) |
        (std::uint32_t{bytes_[pos_ + 2]} << 8) | std::uint32_t{bytes_[pos_ + 3]};
    pos_ += 4;
    return true;
  }

  // Variable Byte Integer (1.5.5); a fifth continuation byte is Malformed.
  bool read_varint(std::uint32_t& v) noexcept {
    const int used = protocol::read_varint(bytes_.subspan(pos_), v);
    if (used == 0) return overrun();
    if (used < 0) return fail(reason_code::malformed_packet, "[1.5.5] variable byte integer longer than 4 bytes");
    pos_ += static_cast<std::size_t>(used);
    return true;
  }

  // `n` raw bytes, as a view into the packet.
  bool read_raw(std::size_t n, std::string_view& v) noexcept {
    if (remaining() < n) return overrun();
    v = std::string_view(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return true;
  }

  // Binary Data (1.5.6): two-byte length, then bytes.
  bool read_binary_view(std::string_view& v) noexcept {
    std::uint16_t len = 0;
    return read_u16(len) && read_raw(len, v);
  }
  bool read_binary(std::string& v) {
    std::string_view view;
    if (!read_binary_view(view)) return false;
    v.assign(view);
    return true;
  }

  // UTF-8 Encoded String (1.5.4), checked.
  bool read_utf8_view(std::string_view& v) noexcept {
    if (!read_binary_view(v)) return false;
    // [MQTT-1.5.4-1] [MQTT-1.5.4-2] well-formed UTF-8, no U+0000
    if (!is_valid_mqtt_utf8(v)) return fail(reason_code::malformed_packet, "[MQTT-1.5.4-1] invalid UTF-8 string");
    return true;
  }
  bool read_utf8(std::string& v) {
    std::string_view view;
    if (!read_utf8_view(view)) return false;
    v.assign(view);
    return true;
  }

  // Everything that is left (a PUBLISH payload).
  std::string_view read_rest() noexcept {
    std::string_view v;
    read_raw(remaining(), v);
    return v;
  }

  // Hands the next `n` bytes to `sub` (a bounded section such as a property
  // list) and skips them here.
  bool split(std::size_t n, wire_reader& sub) noexcept {
    if (remaining() < n) return overrun();
    sub = wire_reader(bytes_.subspan(pos_, n));
    pos_ += n;
    return true;
  }

 private:
  bool overrun() noexcept { return fail(reason_code::malformed_packet, "length overruns the packet"); }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  decode_error error_;
  bool failed_ = false;
};

}  // namespace gridmq::protocol
