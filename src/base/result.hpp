// result<T, E>: a value or an error, for code that handles untrusted input.
// GCC 12 in C++20 mode has no std::expected, so this is the small subset the
// project needs. Errors are plain values; nothing here throws on the hot path.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace gridmq {

template <class E>
struct unexpected {
  E error;
};
template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class G>
  result(unexpected<G> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace gridmq
