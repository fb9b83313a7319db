// A std::deque that costs one pointer and no allocation until something is
// pushed. libstdc++'s std::deque allocates its map and a 512-byte node on
// default construction (about 580 heap bytes), which every idle session and
// connection would pay for a queue that is almost always empty.
//
// Only the operations the session and the outbox use are forwarded. clear()
// frees the storage; an emptied-by-pop deque keeps it (a busy queue must not
// allocate per message). Not thread-safe, like std::deque.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

namespace gridmq::session {

template <class T>
class lazy_deque {
 public:
  using iterator = typename std::deque<T>::iterator;
  using const_iterator = typename std::deque<T>::const_iterator;

  bool empty() const noexcept { return !d_ || d_->empty(); }
  std::size_t size() const noexcept { return d_ ? d_->size() : 0; }

  T& front() { return d_->front(); }
  const T& front() const { return d_->front(); }
  T& back() { return d_->back(); }
  const T& back() const { return d_->back(); }

  void push_back(T&& v) { get().push_back(std::move(v)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return get().emplace_back(std::forward<Args>(args)...);
  }
  void pop_front() { d_->pop_front(); }
  iterator insert(const_iterator pos, T&& v) { return get().insert(pos, std::move(v)); }
  iterator erase(const_iterator pos) { return d_->erase(pos); }
  void clear() noexcept { d_.reset(); }

  // An absent deque iterates as a shared empty one (never written to).
  iterator begin() { return d_ ? d_->begin() : none().begin(); }
  iterator end() { return d_ ? d_->end() : none().end(); }
  const_iterator begin() const { return d_ ? d_->cbegin() : none().cbegin(); }
  const_iterator end() const { return d_ ? d_->cend() : none().cend(); }

 private:
  std::deque<T>& get() {
    if (!d_) d_ = std::make_unique<std::deque<T>>();
    return *d_;
  }
  static std::deque<T>& none() {
    static std::deque<T> empty;
    return empty;
  }

  std::unique_ptr<std::deque<T>> d_;
};

}  // namespace gridmq::session
