// The per-thread scratch frame list that replaced one list per connection:
// lent empty, reused by the next call, never shared by two scopes at once.
#include <gtest/gtest.h>

#include <thread>

#include "broker/frame_scratch.hpp"

namespace gridmq::broker {
namespace {

TEST(FrameScratch, IsLentEmptyAndReusedByTheNextCall) {
  const session::frame_list* first = nullptr;
  {
    frame_scratch s;
    ASSERT_TRUE(s.is_shared());
    EXPECT_TRUE(s.list().empty());
    s.list().push_back(session::frame{"abc", nullptr});
    first = &s.list();
  }
  frame_scratch again;
  EXPECT_EQ(&again.list(), first);  // no list per call
  EXPECT_TRUE(again.list().empty());  // what the last call left is gone
}

TEST(FrameScratch, ANestedScopeGetsAListOfItsOwn) {
  frame_scratch outer;
  outer.list().push_back(session::frame{"outer", nullptr});
  {
    frame_scratch inner;
    EXPECT_FALSE(inner.is_shared());
    EXPECT_NE(&inner.list(), &outer.list());
    inner.list().push_back(session::frame{"inner", nullptr});
  }
  ASSERT_EQ(outer.list().size(), 1u);  // the inner scope did not touch it
  EXPECT_EQ(outer.list()[0].bytes, "outer");
}

TEST(FrameScratch, EachThreadHasItsOwn) {
  frame_scratch here;
  bool shared_there = false;
  std::thread t([&] {
    frame_scratch there;
    shared_there = there.is_shared();
  });
  t.join();
  EXPECT_TRUE(shared_there);
}

TEST(FrameScratch, ABurstDoesNotKeepItsCapacity) {
  {
    frame_scratch s;
    s.list().resize(frame_scratch::kept_capacity * 4);
  }
  frame_scratch s;
  EXPECT_LE(s.list().capacity(), frame_scratch::kept_capacity);
}

}  // namespace
}  // namespace gridmq::broker
