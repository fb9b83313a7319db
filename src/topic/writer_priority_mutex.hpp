// A reader/writer lock on which a waiting writer stops new readers.
//
// std::shared_mutex on glibc is a default pthread rwlock, which prefers
// readers: with publishes matching on every worker, the read side can stay
// held without a gap and SUBSCRIBE would wait indefinitely. This lock prefers
// writers (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP); readers still never
// block each other while no writer waits. Non-recursive: a thread holding the
// shared side must not take it again (it could deadlock behind a writer).
// Meets the SharedMutex requirements, so std::shared_lock and std::unique_lock
// work with it.
#pragma once

#include <pthread.h>

namespace gridmq::topic {

class writer_priority_mutex {
 public:
  writer_priority_mutex();  // throws std::system_error if the lock cannot be made
  ~writer_priority_mutex();
  writer_priority_mutex(const writer_priority_mutex&) = delete;
  writer_priority_mutex& operator=(const writer_priority_mutex&) = delete;

  void lock() noexcept;
  bool try_lock() noexcept;
  void unlock() noexcept;
  void lock_shared() noexcept;
  bool try_lock_shared() noexcept;
  void unlock_shared() noexcept;

 private:
  pthread_rwlock_t rw_;
};

}  // namespace gridmq::topic
