// An optional time point (or any value type with a reserved value) in the
// size of the value itself: the value `Empty` means "none". std::optional of
// a 64-bit time point takes 16 bytes; this takes 8, which adds up over the
// several deadlines kept per session.
//
// The reserved value must never be a real value: for time points,
// time_point::min() (the default) is far outside any deadline the broker
// computes.
#pragma once

#include <optional>

namespace gridmq {

template <class T, T (*Empty)() = &T::min>
class compact_optional {
 public:
  compact_optional() noexcept : v_(Empty()) {}
  compact_optional(std::nullopt_t) noexcept : v_(Empty()) {}
  compact_optional(const T& v) noexcept : v_(v) {}
  compact_optional(const std::optional<T>& v) noexcept : v_(v ? *v : Empty()) {}

  compact_optional& operator=(std::nullopt_t) noexcept {
    v_ = Empty();
    return *this;
  }
  compact_optional& operator=(const T& v) noexcept {
    v_ = v;
    return *this;
  }
  compact_optional& operator=(const std::optional<T>& v) noexcept {
    v_ = v ? *v : Empty();
    return *this;
  }

  bool has_value() const noexcept { return v_ != Empty(); }
  explicit operator bool() const noexcept { return has_value(); }
  const T& operator*() const noexcept { return v_; }
  const T* operator->() const noexcept { return &v_; }
  void reset() noexcept { v_ = Empty(); }
  T value_or(const T& other) const noexcept { return has_value() ? v_ : other; }
  operator std::optional<T>() const noexcept { return has_value() ? std::optional<T>(v_) : std::nullopt; }

 private:
  T v_;
};

}  // namespace gridmq
