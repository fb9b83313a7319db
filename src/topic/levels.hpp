// Topic levels without allocation: a cursor that hands out the '/'-separated
// levels of a topic name or filter as string_views into the caller's buffer.
//
// "Topic level separator ... divides a topic into levels" (MQTT 4.7.1.1): a
// string of n separators has n + 1 levels, some of which may be empty. That is
// why the cursor tracks `done` separately from `rest.empty()`: after taking
// "a" from "a/", one empty level is still to come.
#pragma once

#include <cstddef>
#include <string_view>

namespace gridmq::topic {

class level_cursor {
 public:
  explicit constexpr level_cursor(std::string_view s) noexcept : rest_(s) {}

  // True once every level has been taken.
  constexpr bool done() const noexcept { return done_; }

  // Takes the next level. Precondition: !done().
  constexpr std::string_view next() noexcept {
    const std::size_t slash = rest_.find('/');
    if (slash == std::string_view::npos) {
      done_ = true;
      return rest_;
    }
    const std::string_view level = rest_.substr(0, slash);
    rest_.remove_prefix(slash + 1);
    return level;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

// Number of levels in a topic name or filter ("" has one, empty, level).
constexpr std::size_t level_count(std::string_view s) noexcept {
  std::size_t n = 1;
  for (const char c : s) n += (c == '/') ? 1 : 0;
  return n;
}

}  // namespace gridmq::topic
