// A bounds-checked cursor over one stored key or value: the decoder's only
// way to touch stored bytes. Every read either succeeds or records the first
// error and returns false, so decoders read in sequence and return on the
// first failure; nothing here can read past the end. Decoding is total: any
// byte string yields a record or an error, never a crash or an unbounded
// allocation (a length is checked against the bytes left before use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gridmq::store {

class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) noexcept : bytes_(bytes) {}

  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  bool at_end() const noexcept { return pos_ == bytes_.size(); }
  bool failed() const noexcept { return !error_.empty(); }
  const std::string& error() const noexcept { return error_; }

  // Records the error (the first one wins) and returns false.
  bool fail(std::string_view what) {
    if (error_.empty()) error_.assign(what);
    return false;
  }

  bool u8(std::uint8_t& v) {
    std::uint64_t x = 0;
    if (!get_be(1, x)) return false;
    v = static_cast<std::uint8_t>(x);
    return true;
  }
  bool u16(std::uint16_t& v) {
    std::uint64_t x = 0;
    if (!get_be(2, x)) return false;
    v = static_cast<std::uint16_t>(x);
    return true;
  }
  bool u32(std::uint32_t& v) {
    std::uint64_t x = 0;
    if (!get_be(4, x)) return false;
    v = static_cast<std::uint32_t>(x);
    return true;
  }
  bool u64(std::uint64_t& v) { return get_be(8, v); }
  bool i64(std::int64_t& v) {
    std::uint64_t x = 0;
    if (!get_be(8, x)) return false;
    v = static_cast<std::int64_t>(x);
    return true;
  }
  // A u8 that must be 0 or 1.
  bool flag(bool& v) {
    std::uint8_t x = 0;
    if (!u8(x)) return false;
    if (x > 1) return fail("flag byte is not 0 or 1");
    v = x == 1;
    return true;
  }
  // u32 length, then that many bytes.
  bool bytes_view(std::string_view& v) {
    std::uint32_t n = 0;
    return u32(n) && raw(n, v);
  }
  bool bytes(std::string& v) {
    std::string_view view;
    if (!bytes_view(view)) return false;
    v.assign(view);
    return true;
  }
  bool raw(std::size_t n, std::string_view& v) {
    if (remaining() < n) return overrun();
    v = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view rest() noexcept {
    std::string_view v = bytes_.substr(pos_);
    pos_ = bytes_.size();
    return v;
  }
  // Succeeds only if every byte was consumed.
  bool expect_end() { return at_end() || fail("trailing bytes after the record"); }

 private:
  bool overrun() { return fail("truncated: a length runs past the end"); }
  bool get_be(std::size_t width, std::uint64_t& v) {
    if (remaining() < width) return overrun();
    v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<std::uint8_t>(bytes_[pos_ + i]);
    pos_ += width;
    return true;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace gridmq::store
