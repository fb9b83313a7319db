// A FIFO of values in one circular buffer whose capacity is a power of two.
//
// Why not std::deque: libstdc++'s deque allocates a map and a 512-byte block
// even when empty, and allocates and frees blocks as it moves; a std::map
// allocates a node per element. The session's queue and in-flight window
// are FIFOs that take and release an element per message, so a buffer that
// grows by doubling and is then reused costs no allocation per message.
// An empty ring owns no memory; release() gives the buffer back.
//
// Positions are relative to the front: [0] is the oldest element. Not
// thread-safe (the session's lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace gridmq::session {

template <class T>
class ring {
 public:
  ring() = default;
  ring(ring&& o) noexcept
      : buf_(std::move(o.buf_)),
        capacity_(std::exchange(o.capacity_, 0)),
        head_(std::exchange(o.head_, 0)),
        size_(std::exchange(o.size_, 0)) {}
  ring& operator=(ring&& o) noexcept {
    buf_ = std::move(o.buf_);
    capacity_ = std::exchange(o.capacity_, 0);
    head_ = std::exchange(o.head_, 0);
    size_ = std::exchange(o.size_, 0);
    return *this;
  }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }

  T& operator[](std::size_t i) noexcept { return buf_[(head_ + i) & (capacity_ - 1)]; }
  const T& operator[](std::size_t i) const noexcept { return buf_[(head_ + i) & (capacity_ - 1)]; }
  T& front() noexcept { return buf_[head_]; }
  const T& front() const noexcept { return buf_[head_]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }

  T& push_back(T&& v) {
    if (size_ == capacity_) grow();
    T& slot = (*this)[size_];
    slot = std::move(v);
    ++size_;
    return slot;
  }

  // Resets the front element (dropping what it references) and removes it.
  void pop_front() noexcept {
    buf_[head_] = T{};
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }

  // Inserts before position `pos` (0 = front), moving the later elements
  // back: linear, for the rare insertion that is not an append.
  void insert(std::size_t pos, T&& v) {
    push_back(std::move(v));
    for (std::size_t i = size_ - 1; i > pos; --i) std::swap((*this)[i], (*this)[i - 1]);
  }

  // Removes every element for which `pred` is true, keeping the order of
  // the others; returns how many were removed.
  template <class Pred>
  std::size_t erase_if(Pred pred) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      T& e = (*this)[i];
      if (pred(e)) continue;
      if (kept != i) (*this)[kept] = std::move(e);
      ++kept;
    }
    for (std::size_t i = kept; i < size_; ++i) (*this)[i] = T{};
    std::size_t removed = size_ - kept;
    size_ = static_cast<std::uint32_t>(kept);
    return removed;
  }

  // Drops every element and gives the buffer back.
  void release() noexcept {
    buf_.reset();
    capacity_ = head_ = size_ = 0;
  }

 private:
  void grow() {
    std::uint32_t cap = capacity_ == 0 ? 8 : capacity_ * 2;
    auto bigger = std::make_unique<T[]>(cap);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    buf_ = std::move(bigger);
    capacity_ = cap;
    head_ = 0;
  }

  // 32-bit counts keep an empty ring at 24 bytes (idle sessions hold two);
  // the session's limits keep a queue far below 2^32 entries.
  std::unique_ptr<T[]> buf_;
  std::uint32_t capacity_ = 0;
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace gridmq::session
