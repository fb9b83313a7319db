// The FIFO under the session's queue and in-flight window (ring.hpp).
#include "session/ring.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

namespace gridmq::session {
namespace {

TEST(ring, empty_ring_owns_no_memory) {
  ring<int> r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.capacity(), 0u);
}

// Against std::deque over random pushes and pops, across many wraps and growths.
TEST(ring, behaves_as_a_fifo_across_wraps_and_growth) {
  ring<int> r;
  std::deque<int> model;
  std::mt19937 rng(7);
  int next = 0;
  for (int step = 0; step < 20000; ++step) {
    if (model.empty() || rng() % 3 != 0) {
      r.push_back(int{next});
      model.push_back(next++);
    } else {
      ASSERT_EQ(r.front(), model.front());
      r.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(r.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(r.back(), model.back());
      ASSERT_EQ(r[model.size() / 2], model[model.size() / 2]);
    }
  }
  EXPECT_EQ(r.capacity() & (r.capacity() - 1), 0u);  // a power of two
}

TEST(ring, pop_front_drops_the_reference) {
  ring<std::shared_ptr<int>> r;
  auto p = std::make_shared<int>(1);
  r.push_back(std::shared_ptr<int>(p));
  EXPECT_EQ(p.use_count(), 2);
  r.pop_front();
  EXPECT_EQ(p.use_count(), 1);
}

TEST(ring, insert_and_erase_if_keep_order) {
  ring<int> r;
  for (int i : {1, 2, 4, 5}) r.push_back(int{i});
  r.pop_front();  // head moved: positions wrap inside the buffer
  r.push_back(6);
  r.insert(1, 3);  // 2 3 4 5 6
  ASSERT_EQ(r.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r[static_cast<std::size_t>(i)], i + 2);
  EXPECT_EQ(r.erase_if([](int v) { return v % 2 == 0; }), 3u);  // 3 5
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], 3);
  EXPECT_EQ(r[1], 5);
  r.release();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.capacity(), 0u);
  r.push_back(9);
  EXPECT_EQ(r.front(), 9);
}

TEST(ring, moved_from_ring_is_empty_and_usable) {
  ring<int> a;
  a.push_back(1);
  ring<int> b(std::move(a));
  EXPECT_EQ(b.front(), 1);
  EXPECT_EQ(a.capacity(), 0u);  // NOLINT(bugprone-use-after-move): checked on purpose
  a.push_back(2);
  EXPECT_EQ(a.front(), 2);
}

}  // namespace
}  // namespace gridmq::session
