#include "topic/writer_priority_mutex.hpp"

#include <cstdlib>
#include <system_error>

namespace gridmq::topic {

namespace {

// Lock and unlock on a valid rwlock fail only on programming errors
// (EDEADLK: a thread re-locking what it holds). Such a bug must not go on
// silently with a broken lock, in release builds too.
void check(int rc) noexcept {
  if (rc != 0) std::abort();
}

}  // namespace

writer_priority_mutex::writer_priority_mutex() {
  pthread_rwlockattr_t attr;
  int rc = pthread_rwlockattr_init(&attr);
  if (rc == 0) {
    rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    if (rc == 0) rc = pthread_rwlock_init(&rw_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_rwlock_init");
}

writer_priority_mutex::~writer_priority_mutex() { pthread_rwlock_destroy(&rw_); }

void writer_priority_mutex::lock() noexcept { check(pthread_rwlock_wrlock(&rw_)); }
bool writer_priority_mutex::try_lock() noexcept { return pthread_rwlock_trywrlock(&rw_) == 0; }
void writer_priority_mutex::unlock() noexcept { check(pthread_rwlock_unlock(&rw_)); }
void writer_priority_mutex::lock_shared() noexcept { check(pthread_rwlock_rdlock(&rw_)); }
bool writer_priority_mutex::try_lock_shared() noexcept { return pthread_rwlock_tryrdlock(&rw_) == 0; }
void writer_priority_mutex::unlock_shared() noexcept { check(pthread_rwlock_unlock(&rw_)); }

}  // namespace gridmq::topic
