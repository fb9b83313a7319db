// A value kept on the heap and created on first write: one pointer, and no
// allocation while nobody has written to it. For per-session containers
// that most sessions never fill (subscriptions of a client that only
// publishes, inbound QoS 2 ids of a client that never sends QoS 2), where
// the empty container would cost its full size in every object (48 B for a
// std::map, 56 B for a std::unordered_set).
//
// get() reads (an empty T when nothing was written); mut() creates the value
// if needed and returns it for writing; reset() frees it; clear() empties
// an existing container value. Not thread-safe,
// like the container it wraps.
#pragma once

#include <memory>

namespace gridmq {

template <class T>
class lazy_value {
 public:
  lazy_value() = default;
  lazy_value(lazy_value&&) noexcept = default;
  lazy_value& operator=(lazy_value&&) noexcept = default;

  bool has_value() const noexcept { return p_ != nullptr; }
  const T& get() const noexcept { return p_ ? *p_ : empty(); }
  T& mut() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() noexcept { p_.reset(); }
  // Empties a container value that exists, keeping its allocation for reuse;
  // creates nothing.
  void clear() noexcept {
    if (p_) p_->clear();
  }

 private:
  // One shared, never written empty value per type, so that get() needs no
  // allocation and no branch at the caller.
  static const T& empty() noexcept {
    static const T e{};
    return e;
  }
  std::unique_ptr<T> p_;
};

}  // namespace gridmq
