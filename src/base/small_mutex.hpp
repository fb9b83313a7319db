// A mutex in 4 bytes, for state kept per session and per connection.
//
// Why: std::mutex is a pthread_mutex_t, 40 bytes; each session slot and each
// connection's outbox holds one, so every idle client paid 80 bytes for two
// locks that are taken for a few hundred nanoseconds at a time. This is the
// classic three-state futex mutex (0 free, 1 locked, 2 locked with waiters;
// U. Drepper, "Futexes Are Tricky", mutex 2), with C++20 atomic wait/notify
// (a futex on Linux) for the sleeping: an uncontended lock is one
// compare-exchange and its unlock one exchange, as with glibc's.
//
// Meets Lockable (lock_guard, unique_lock, scoped_lock). Not recursive, no
// fairness (as std::mutex). Acquire on lock, release on unlock, so
// ThreadSanitizer sees the ordering.
#pragma once

#include <atomic>
#include <cstdint>

namespace gridmq {

class small_mutex {
 public:
  small_mutex() = default;
  small_mutex(const small_mutex&) = delete;
  small_mutex& operator=(const small_mutex&) = delete;

  void lock() noexcept {
    std::uint32_t c = free;
    if (state_.compare_exchange_strong(c, locked, std::memory_order_acquire, std::memory_order_relaxed)) return;
    // Contended: mark that someone waits, and sleep until it is free.
    if (c != contended) c = state_.exchange(contended, std::memory_order_acquire);
    while (c != free) {
      state_.wait(contended, std::memory_order_relaxed);
      c = state_.exchange(contended, std::memory_order_acquire);
    }
  }

  bool try_lock() noexcept {
    std::uint32_t c = free;
    return state_.compare_exchange_strong(c, locked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void unlock() noexcept {
    if (state_.exchange(free, std::memory_order_release) == contended) state_.notify_one();
  }

 private:
  static constexpr std::uint32_t free = 0;
  static constexpr std::uint32_t locked = 1;
  static constexpr std::uint32_t contended = 2;
  std::atomic<std::uint32_t> state_{free};
};

}  // namespace gridmq
