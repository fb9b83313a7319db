// lazy_value allocates nothing until written; compact_optional keeps a time
// point in its own size and round-trips through std::optional.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "base/compact_optional.hpp"
#include "base/lazy_value.hpp"

namespace gridmq {
namespace {

using time_point = std::chrono::steady_clock::time_point;

TEST(lazy_value, reads_empty_without_allocating_and_writes_on_mut) {
  lazy_value<std::map<std::string, int>> v;
  EXPECT_EQ(sizeof(v), sizeof(void*));
  EXPECT_FALSE(v.has_value());
  EXPECT_TRUE(v.get().empty());
  EXPECT_FALSE(v.has_value());  // reading did not create it
  v.mut()["a"] = 1;
  EXPECT_TRUE(v.has_value());
  EXPECT_EQ(v.get().at("a"), 1);
  v.reset();
  EXPECT_FALSE(v.has_value());
  EXPECT_TRUE(v.get().empty());
}

TEST(lazy_value, clear_empties_an_existing_value_and_creates_none) {
  lazy_value<std::map<int, int>> none;
  none.clear();
  EXPECT_FALSE(none.has_value());
  lazy_value<std::map<int, int>> some;
  some.mut()[1] = 2;
  some.clear();
  EXPECT_TRUE(some.has_value());
  EXPECT_TRUE(some.get().empty());
}

TEST(compact_optional, same_size_as_the_value_and_behaves_as_optional) {
  compact_optional<time_point> t;
  EXPECT_EQ(sizeof(t), sizeof(time_point));
  EXPECT_FALSE(t.has_value());
  EXPECT_FALSE(static_cast<bool>(t));
  const auto now = std::chrono::steady_clock::now();
  t = now;
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, now);
  std::optional<time_point> o = t;
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(*o, now);
  t.reset();
  EXPECT_FALSE(t.has_value());
  o = t;
  EXPECT_FALSE(o.has_value());
  EXPECT_EQ(t.value_or(now), now);
  t = std::optional<time_point>(now);
  EXPECT_TRUE(t.has_value());
  t = std::nullopt;
  EXPECT_FALSE(t.has_value());
}

}  // namespace
}  // namespace gridmq
