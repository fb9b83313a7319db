// An optional value kept on the heap: one pointer, and no allocation while
// empty. For rarely present, large members of per-connection and
// per-session objects (a will, a CONNECT parked during enhanced
// authentication), where std::optional would cost the value's full size in
// every object, present or not.
//
// Copying copies the value; moving moves the pointer. Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace gridmq {

template <class T>
class heap_optional {
 public:
  heap_optional() = default;
  heap_optional(const heap_optional& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  heap_optional(heap_optional&&) noexcept = default;
  heap_optional& operator=(const heap_optional& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  heap_optional& operator=(heap_optional&&) noexcept = default;

  heap_optional& operator=(T&& v) {
    p_ = std::make_unique<T>(std::move(v));
    return *this;
  }
  heap_optional& operator=(std::optional<T>&& v) {
    if (v) {
      p_ = std::make_unique<T>(std::move(*v));
    } else {
      p_.reset();
    }
    return *this;
  }

  bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T& operator*() noexcept { return *p_; }
  const T& operator*() const noexcept { return *p_; }
  T* operator->() noexcept { return p_.get(); }
  const T* operator->() const noexcept { return p_.get(); }
  void reset() noexcept { p_.reset(); }

  // The value as a std::optional: copied, or moved out (leaving this empty).
  std::optional<T> copy() const { return p_ ? std::optional<T>(*p_) : std::nullopt; }
  std::optional<T> take() {
    std::optional<T> out;
    if (p_) out.emplace(std::move(*p_));
    p_.reset();
    return out;
  }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace gridmq
