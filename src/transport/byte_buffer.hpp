// A connection's own read buffer: the bytes and their count, 12 bytes of
// object instead of std::vector's 24 (no separate capacity: it is always
// allocated at its exact size; callers grow it geometrically themselves).
//
// Threads: one connection's, on its worker.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace gridmq::transport {

class byte_buffer {
 public:
  std::uint8_t* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  operator std::span<std::uint8_t>() noexcept { return {data_.get(), size_}; }

  // Reallocates to exactly `n` bytes (n < 4 GiB), keeping the first
  // min(size(), n); 0 frees the memory.
  void resize(std::size_t n) {
    if (n == size_) return;
    if (n == 0) {
      clear();
      return;
    }
    auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(n);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), std::min<std::size_t>(size_, n));
    data_ = std::move(bigger);
    size_ = static_cast<std::uint32_t>(n);
  }
  void clear() noexcept {
    data_.reset();
    size_ = 0;
  }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::uint32_t size_ = 0;
};

}  // namespace gridmq::transport
