// UTF-8 checking for MQTT strings. Most topics and client ids are ASCII, so
// eight bytes at a time are checked for "all ASCII and no NUL" before the
// per-code-point path.
#include "protocol/validate.hpp"

#include <cstdint>
#include <cstring>

namespace gridmq::protocol {

namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
constexpr std::uint64_t low_bits = 0x0101010101010101ULL;

// Exact for words whose bytes are all < 0x80.
constexpr bool has_zero_byte(std::uint64_t w) noexcept { return ((w - low_bits) & ~w & high_bits) != 0; }

// Decodes one multi-byte sequence starting at p (lead byte >= 0x80).
// Returns its length, or 0 when it is ill-formed.
std::size_t multibyte_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned lead = *p;
  struct form {
    unsigned lead_mask;
    unsigned lead_value;
    std::size_t tail;
    std::uint32_t min;  // smallest code point this length may carry
  };
  static constexpr form forms[] = {{0xE0, 0xC0, 1, 0x80}, {0xF0, 0xE0, 2, 0x800}, {0xF8, 0xF0, 3, 0x10000}};
  const form* f = nullptr;
  for (const form& candidate : forms) {
    if ((lead & candidate.lead_mask) == candidate.lead_value) f = &candidate;
  }
  if (f == nullptr) return 0;  // stray continuation byte or 0xF8..0xFF
  const std::size_t tail = f->tail;
  const std::uint32_t min = f->min;
  std::uint32_t cp = lead & (~f->lead_mask & 0xFFu);
  if (static_cast<std::size_t>(end - p) <= tail) return 0;  // truncated
  for (std::size_t i = 1; i <= tail; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  if (cp < min) return 0;                        // overlong encoding
  if (cp > 0x10FFFF) return 0;                   // beyond Unicode
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;    // [MQTT-1.5.4-1] surrogates
  return tail + 1;
}

}  // namespace

bool is_valid_mqtt_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, p, 8);
      if ((w & high_bits) != 0) break;
      if (has_zero_byte(w)) return false;  // [MQTT-1.5.4-2] no U+0000
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      if (*p == 0) return false;  // [MQTT-1.5.4-2]
      ++p;
      continue;
    }
    const std::size_t n = multibyte_length(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

}  // namespace gridmq::protocol
