// small_mutex: mutual exclusion under contention (threads that must sleep
// and be woken), try_lock, and use with the standard lock wrappers.
#include "base/small_mutex.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace gridmq {
namespace {

TEST(small_mutex, is_four_bytes) { EXPECT_EQ(sizeof(small_mutex), 4u); }

TEST(small_mutex, try_lock_fails_while_held_and_succeeds_after) {
  small_mutex m;
  ASSERT_TRUE(m.try_lock());
  EXPECT_FALSE(m.try_lock());
  m.unlock();
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

TEST(small_mutex, contended_increments_are_not_lost) {
  small_mutex m;
  long counter = 0;  // plain: only the lock orders the writes
  constexpr int threads = 4;
  constexpr int rounds = 50000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        std::lock_guard lock(m);
        // A read-modify-write split by a yield now and then, so that the
        // other threads find the lock taken and go to sleep on it.
        long v = counter;
        if (i % 1000 == 0) std::this_thread::yield();
        counter = v + 1;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(counter, static_cast<long>(threads) * rounds);
}

TEST(small_mutex, scoped_lock_of_two) {
  small_mutex a, b;
  {
    std::scoped_lock both(a, b);
    EXPECT_FALSE(a.try_lock());
    EXPECT_FALSE(b.try_lock());
  }
  EXPECT_TRUE(a.try_lock());
  EXPECT_TRUE(b.try_lock());
  a.unlock();
  b.unlock();
}

}  // namespace
}  // namespace gridmq
